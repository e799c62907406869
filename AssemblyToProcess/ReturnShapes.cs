using System;
using System.Collections.Generic;
using AkCache;

namespace AssemblyToProcess;

public sealed class Quote
{
    public string Symbol { get; set; } = "";

    public decimal Price { get; set; }

    public DateTime At { get; set; }

    public List<string> Tags { get; set; } = new();
}

public sealed record Sector(string Code, string Name, int Members);

public struct Range
{
    public int Low { get; set; }

    public int High { get; set; }
}

public class Animal
{
    public string Name { get; set; } = "";
}

public sealed class Dog : Animal
{
    public string Breed { get; set; } = "";
}

public static class ReturnShapes
{
    [Memoize]
    public static int[] Squares(int count)
    {
        Calls.Record(nameof(Squares));
        var result = new int[count];
        for (var i = 0; i < count; i++)
        {
            result[i] = i * i;
        }

        return result;
    }

    [Memoize]
    public static List<string> Codes(string market)
    {
        Calls.Record(nameof(Codes));
        return new List<string> { market + "1", market + "2", market + "3" };
    }

    [Memoize]
    public static Dictionary<string, int> Counts(string text)
    {
        Calls.Record(nameof(Counts));
        var counts = new Dictionary<string, int>();
        foreach (var word in text.Split(' '))
        {
            counts[word] = counts.TryGetValue(word, out var n) ? n + 1 : 1;
        }

        return counts;
    }

    [Memoize]
    public static Quote GetQuote(string symbol)
    {
        Calls.Record(nameof(GetQuote));
        return new Quote { Symbol = symbol, Price = 12.50m, At = new DateTime(2026, 11, 27, 15, 0, 0, DateTimeKind.Utc), Tags = { "a", "b" } };
    }

    [Memoize]
    public static Sector GetSector(string code)
    {
        Calls.Record(nameof(GetSector));
        return new Sector(code, "Sector " + code, code.Length);
    }

    [Memoize]
    public static Range GetRange(int low, int high)
    {
        Calls.Record(nameof(GetRange));
        return new Range { Low = low, High = high };
    }

    [Memoize]
    public static DateTime LocalTime(int hour)
    {
        Calls.Record(nameof(LocalTime));
        return new DateTime(2026, 1, 1, hour, 0, 0, DateTimeKind.Local);
    }

    [Memoize]
    public static decimal Scaled(int digits)
    {
        Calls.Record(nameof(Scaled));
        return digits == 1 ? 1.0m : 1.00m;
    }

    [Memoize]
    public static IReadOnlyList<int> ReadOnlyNumbers(int count)
    {
        Calls.Record(nameof(ReadOnlyNumbers));
        var list = new List<int>();
        for (var i = 0; i < count; i++)
        {
            list.Add(i);
        }

        return list;
    }

    [Memoize]
    public static Animal GetAnimal(string name)
    {
        Calls.Record(nameof(GetAnimal));
        return new Dog { Name = name, Breed = "collie" };
    }

    /// <summary>A type that can be stored, holding a value that cannot: only the run time can tell.</summary>
    [Memoize]
    public static Dictionary<string, object> QuoteInfo(string symbol)
    {
        Calls.Record(nameof(QuoteInfo));
        return new Dictionary<string, object> { ["symbol"] = symbol, ["quote"] = new Quote { Symbol = symbol } };
    }
}
