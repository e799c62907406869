using System.Collections.Generic;
using AkCache;

namespace AssemblyToProcess;

public sealed class JsonQuote
{
    public string Symbol { get; set; } = "";

    public decimal Last { get; set; }

    public List<string> Boards { get; set; } = new();
}

/// <summary>Methods that name their serializer with [Memoize(Serializer = ...)].</summary>
public static class Serializers
{
    [Memoize(Serializer = "json")]
    public static JsonQuote Quote(string symbol)
    {
        Calls.Record(nameof(Quote));
        return new JsonQuote { Symbol = symbol, Last = 1700.50m, Boards = { "SH", "HS300" } };
    }

    [Memoize(Serializer = "reversed")]
    public static string Echo(string text)
    {
        Calls.Record(nameof(Echo));
        return "echo " + text;
    }

    [Memoize(Serializer = "nowhere")]
    public static int Unregistered(int value)
    {
        Calls.Record(nameof(Unregistered));
        return value * 2;
    }
}
