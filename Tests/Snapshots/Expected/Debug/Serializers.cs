using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using AkCache.CompilerServices;

namespace AssemblyToProcess;

public static class Serializers
{
    [CompilerGenerated]
    private static MemoizedMethod <AkCache>Quote$Method0;

    [CompilerGenerated]
    private static Func<ValueTuple<string>, JsonQuote> <AkCache>Quote$Body1;

    [CompilerGenerated]
    private static MemoizedMethod <AkCache>Echo$Method2;

    [CompilerGenerated]
    private static Func<ValueTuple<string>, string> <AkCache>Echo$Body3;

    [CompilerGenerated]
    private static MemoizedMethod <AkCache>Unregistered$Method4;

    [CompilerGenerated]
    private static Func<ValueTuple<int>, int> <AkCache>Unregistered$Body5;

    private static JsonQuote Quote$Original(string symbol)
    {
        Calls.Record("Quote");
        return new JsonQuote
        {
            Symbol = symbol,
            Last = 1700.50m,
            Boards = { "SH", "HS300" }
        };
    }

    private static string Echo$Original(string text)
    {
        Calls.Record("Echo");
        return "echo " + text;
    }

    private static int Unregistered$Original(int value)
    {
        Calls.Record("Unregistered");
        return value * 2;
    }

    [DebuggerStepThrough]
    public static JsonQuote Quote(string symbol)
    {
        MemoizedMethod memoizedMethod = <AkCache>Quote$Method0 ?? (<AkCache>Quote$Method0 = MemoizedMethod.Create("AssemblyToProcess.Serializers.Quote(System.String)", "<il-hash>", 0, "json"));
        KeyBuilder keyBuilder = memoizedMethod.BeginKey();
        keyBuilder.Add(symbol);
        return memoizedMethod.Invoke(keyBuilder.Complete(), new ValueTuple<string>(symbol), <AkCache>Quote$Body1 ?? (<AkCache>Quote$Body1 = Quote$Invoke), default);
    }

    [CompilerGenerated]
    private static JsonQuote Quote$Invoke(ValueTuple<string> arguments)
    {
        return Quote$Original(arguments.Item1);
    }

    [DebuggerStepThrough]
    public static string Echo(string text)
    {
        MemoizedMethod memoizedMethod = <AkCache>Echo$Method2 ?? (<AkCache>Echo$Method2 = MemoizedMethod.Create("AssemblyToProcess.Serializers.Echo(System.String)", "<il-hash>", 0, "reversed"));
        KeyBuilder keyBuilder = memoizedMethod.BeginKey();
        keyBuilder.Add(text);
        return memoizedMethod.Invoke(keyBuilder.Complete(), new ValueTuple<string>(text), <AkCache>Echo$Body3 ?? (<AkCache>Echo$Body3 = Echo$Invoke), default);
    }

    [CompilerGenerated]
    private static string Echo$Invoke(ValueTuple<string> arguments)
    {
        return Echo$Original(arguments.Item1);
    }

    [DebuggerStepThrough]
    public static int Unregistered(int value)
    {
        MemoizedMethod memoizedMethod = <AkCache>Unregistered$Method4 ?? (<AkCache>Unregistered$Method4 = MemoizedMethod.Create("AssemblyToProcess.Serializers.Unregistered(System.Int32)", "<il-hash>", 0, "nowhere"));
        KeyBuilder keyBuilder = memoizedMethod.BeginKey();
        keyBuilder.Add(value);
        return memoizedMethod.Invoke(keyBuilder.Complete(), new ValueTuple<int>(value), <AkCache>Unregistered$Body5 ?? (<AkCache>Unregistered$Body5 = Unregistered$Invoke), default);
    }

    [CompilerGenerated]
    private static int Unregistered$Invoke(ValueTuple<int> arguments)
    {
        return Unregistered$Original(arguments.Item1);
    }
}
