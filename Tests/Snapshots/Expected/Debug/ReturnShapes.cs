using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using AkCache.CompilerServices;

namespace AssemblyToProcess;

public static class ReturnShapes
{
    [CompilerGenerated]
    private static MemoizedMethod <AkCache>Squares$Method0;

    [CompilerGenerated]
    private static Func<ValueTuple<int>, int[]> <AkCache>Squares$Body1;

    [CompilerGenerated]
    private static MemoizedMethod <AkCache>Codes$Method2;

    [CompilerGenerated]
    private static Func<ValueTuple<string>, List<string>> <AkCache>Codes$Body3;

    [CompilerGenerated]
    private static MemoizedMethod <AkCache>Counts$Method4;

    [CompilerGenerated]
    private static Func<ValueTuple<string>, Dictionary<string, int>> <AkCache>Counts$Body5;

    [CompilerGenerated]
    private static MemoizedMethod <AkCache>GetQuote$Method6;

    [CompilerGenerated]
    private static Func<ValueTuple<string>, Quote> <AkCache>GetQuote$Body7;

    [CompilerGenerated]
    private static MemoizedMethod <AkCache>GetSector$Method8;

    [CompilerGenerated]
    private static Func<ValueTuple<string>, Sector> <AkCache>GetSector$Body9;

    [CompilerGenerated]
    private static MemoizedMethod <AkCache>GetRange$Method10;

    [CompilerGenerated]
    private static Func<(int, int), Range> <AkCache>GetRange$Body11;

    [CompilerGenerated]
    private static MemoizedMethod <AkCache>LocalTime$Method12;

    [CompilerGenerated]
    private static Func<ValueTuple<int>, DateTime> <AkCache>LocalTime$Body13;

    [CompilerGenerated]
    private static MemoizedMethod <AkCache>Scaled$Method14;

    [CompilerGenerated]
    private static Func<ValueTuple<int>, decimal> <AkCache>Scaled$Body15;

    [CompilerGenerated]
    private static MemoizedMethod <AkCache>ReadOnlyNumbers$Method16;

    [CompilerGenerated]
    private static Func<ValueTuple<int>, IReadOnlyList<int>> <AkCache>ReadOnlyNumbers$Body17;

    [CompilerGenerated]
    private static MemoizedMethod <AkCache>GetAnimal$Method18;

    [CompilerGenerated]
    private static Func<ValueTuple<string>, Animal> <AkCache>GetAnimal$Body19;

    [CompilerGenerated]
    private static MemoizedMethod <AkCache>QuoteInfo$Method20;

    [CompilerGenerated]
    private static Func<ValueTuple<string>, Dictionary<string, object>> <AkCache>QuoteInfo$Body21;

    private static int[] Squares$Original(int count)
    {
        Calls.Record("Squares");
        int[] array = new int[count];
        for (int i = 0; i < count; i++)
        {
            array[i] = i * i;
        }
        return array;
    }

    private static List<string> Codes$Original(string market)
    {
        Calls.Record("Codes");
        return new List<string>
        {
            market + "1",
            market + "2",
            market + "3"
        };
    }

    private static Dictionary<string, int> Counts$Original(string text)
    {
        Calls.Record("Counts");
        Dictionary<string, int> dictionary = new Dictionary<string, int>();
        string[] array = text.Split(' ');
        foreach (string key in array)
        {
            dictionary[key] = ((!dictionary.TryGetValue(key, out var value)) ? 1 : (value + 1));
        }
        return dictionary;
    }

    private static Quote GetQuote$Original(string symbol)
    {
        Calls.Record("GetQuote");
        return new Quote
        {
            Symbol = symbol,
            Price = 12.50m,
            At = new DateTime(2026, 11, 27, 15, 0, 0, DateTimeKind.Utc),
            Tags = { "a", "b" }
        };
    }

    private static Sector GetSector$Original(string code)
    {
        Calls.Record("GetSector");
        return new Sector(code, "Sector " + code, code.Length);
    }

    private static Range GetRange$Original(int low, int high)
    {
        Calls.Record("GetRange");
        return new Range
        {
            Low = low,
            High = high
        };
    }

    private static DateTime LocalTime$Original(int hour)
    {
        Calls.Record("LocalTime");
        return new DateTime(2026, 1, 1, hour, 0, 0, DateTimeKind.Local);
    }

    private static decimal Scaled$Original(int digits)
    {
        Calls.Record("Scaled");
        return (digits == 1) ? 1.0m : 1.00m;
    }

    private static IReadOnlyList<int> ReadOnlyNumbers$Original(int count)
    {
        Calls.Record("ReadOnlyNumbers");
        List<int> list = new List<int>();
        for (int i = 0; i < count; i++)
        {
            list.Add(i);
        }
        return list;
    }

    private static Animal GetAnimal$Original(string name)
    {
        Calls.Record("GetAnimal");
        return new Dog
        {
            Name = name,
            Breed = "collie"
        };
    }

    private static Dictionary<string, object> QuoteInfo$Original(string symbol)
    {
        Calls.Record("QuoteInfo");
        return new Dictionary<string, object>
        {
            ["symbol"] = symbol,
            ["quote"] = new Quote
            {
                Symbol = symbol
            }
        };
    }

    [DebuggerStepThrough]
    public static int[] Squares(int count)
    {
        MemoizedMethod memoizedMethod = <AkCache>Squares$Method0 ?? (<AkCache>Squares$Method0 = MemoizedMethod.Create("AssemblyToProcess.ReturnShapes.Squares(System.Int32)", "<il-hash>", 0));
        KeyBuilder keyBuilder = memoizedMethod.BeginKey();
        keyBuilder.Add(count);
        return memoizedMethod.Invoke(keyBuilder.Complete(), new ValueTuple<int>(count), <AkCache>Squares$Body1 ?? (<AkCache>Squares$Body1 = Squares$Invoke), default);
    }

    [CompilerGenerated]
    private static int[] Squares$Invoke(ValueTuple<int> arguments)
    {
        return Squares$Original(arguments.Item1);
    }

    [DebuggerStepThrough]
    public static List<string> Codes(string market)
    {
        MemoizedMethod memoizedMethod = <AkCache>Codes$Method2 ?? (<AkCache>Codes$Method2 = MemoizedMethod.Create("AssemblyToProcess.ReturnShapes.Codes(System.String)", "<il-hash>", 0));
        KeyBuilder keyBuilder = memoizedMethod.BeginKey();
        keyBuilder.Add(market);
        return memoizedMethod.Invoke(keyBuilder.Complete(), new ValueTuple<string>(market), <AkCache>Codes$Body3 ?? (<AkCache>Codes$Body3 = Codes$Invoke), default);
    }

    [CompilerGenerated]
    private static List<string> Codes$Invoke(ValueTuple<string> arguments)
    {
        return Codes$Original(arguments.Item1);
    }

    [DebuggerStepThrough]
    public static Dictionary<string, int> Counts(string text)
    {
        MemoizedMethod memoizedMethod = <AkCache>Counts$Method4 ?? (<AkCache>Counts$Method4 = MemoizedMethod.Create("AssemblyToProcess.ReturnShapes.Counts(System.String)", "<il-hash>", 0));
        KeyBuilder keyBuilder = memoizedMethod.BeginKey();
        keyBuilder.Add(text);
        return memoizedMethod.Invoke(keyBuilder.Complete(), new ValueTuple<string>(text), <AkCache>Counts$Body5 ?? (<AkCache>Counts$Body5 = Counts$Invoke), default);
    }

    [CompilerGenerated]
    private static Dictionary<string, int> Counts$Invoke(ValueTuple<string> arguments)
    {
        return Counts$Original(arguments.Item1);
    }

    [DebuggerStepThrough]
    public static Quote GetQuote(string symbol)
    {
        MemoizedMethod memoizedMethod = <AkCache>GetQuote$Method6 ?? (<AkCache>GetQuote$Method6 = MemoizedMethod.Create("AssemblyToProcess.ReturnShapes.GetQuote(System.String)", "<il-hash>", 0));
        KeyBuilder keyBuilder = memoizedMethod.BeginKey();
        keyBuilder.Add(symbol);
        return memoizedMethod.Invoke(keyBuilder.Complete(), new ValueTuple<string>(symbol), <AkCache>GetQuote$Body7 ?? (<AkCache>GetQuote$Body7 = GetQuote$Invoke), default);
    }

    [CompilerGenerated]
    private static Quote GetQuote$Invoke(ValueTuple<string> arguments)
    {
        return GetQuote$Original(arguments.Item1);
    }

    [DebuggerStepThrough]
    public static Sector GetSector(string code)
    {
        MemoizedMethod memoizedMethod = <AkCache>GetSector$Method8 ?? (<AkCache>GetSector$Method8 = MemoizedMethod.Create("AssemblyToProcess.ReturnShapes.GetSector(System.String)", "<il-hash>", 0));
        KeyBuilder keyBuilder = memoizedMethod.BeginKey();
        keyBuilder.Add(code);
        return memoizedMethod.Invoke(keyBuilder.Complete(), new ValueTuple<string>(code), <AkCache>GetSector$Body9 ?? (<AkCache>GetSector$Body9 = GetSector$Invoke), default);
    }

    [CompilerGenerated]
    private static Sector GetSector$Invoke(ValueTuple<string> arguments)
    {
        return GetSector$Original(arguments.Item1);
    }

    [DebuggerStepThrough]
    public static Range GetRange(int low, int high)
    {
        MemoizedMethod memoizedMethod = <AkCache>GetRange$Method10 ?? (<AkCache>GetRange$Method10 = MemoizedMethod.Create("AssemblyToProcess.ReturnShapes.GetRange(System.Int32,System.Int32)", "<il-hash>", 0));
        KeyBuilder keyBuilder = memoizedMethod.BeginKey();
        keyBuilder.Add(low);
        keyBuilder.Add(high);
        return memoizedMethod.Invoke(keyBuilder.Complete(), (low, high), <AkCache>GetRange$Body11 ?? (<AkCache>GetRange$Body11 = GetRange$Invoke), default);
    }

    [CompilerGenerated]
    private static Range GetRange$Invoke((int, int) arguments)
    {
        return GetRange$Original(arguments.Item1, arguments.Item2);
    }

    [DebuggerStepThrough]
    public static DateTime LocalTime(int hour)
    {
        MemoizedMethod memoizedMethod = <AkCache>LocalTime$Method12 ?? (<AkCache>LocalTime$Method12 = MemoizedMethod.Create("AssemblyToProcess.ReturnShapes.LocalTime(System.Int32)", "<il-hash>", 0));
        KeyBuilder keyBuilder = memoizedMethod.BeginKey();
        keyBuilder.Add(hour);
        return memoizedMethod.Invoke(keyBuilder.Complete(), new ValueTuple<int>(hour), <AkCache>LocalTime$Body13 ?? (<AkCache>LocalTime$Body13 = LocalTime$Invoke), default);
    }

    [CompilerGenerated]
    private static DateTime LocalTime$Invoke(ValueTuple<int> arguments)
    {
        return LocalTime$Original(arguments.Item1);
    }

    [DebuggerStepThrough]
    public static decimal Scaled(int digits)
    {
        MemoizedMethod memoizedMethod = <AkCache>Scaled$Method14 ?? (<AkCache>Scaled$Method14 = MemoizedMethod.Create("AssemblyToProcess.ReturnShapes.Scaled(System.Int32)", "<il-hash>", 0));
        KeyBuilder keyBuilder = memoizedMethod.BeginKey();
        keyBuilder.Add(digits);
        return memoizedMethod.Invoke(keyBuilder.Complete(), new ValueTuple<int>(digits), <AkCache>Scaled$Body15 ?? (<AkCache>Scaled$Body15 = Scaled$Invoke), default);
    }

    [CompilerGenerated]
    private static decimal Scaled$Invoke(ValueTuple<int> arguments)
    {
        return Scaled$Original(arguments.Item1);
    }

    [DebuggerStepThrough]
    public static IReadOnlyList<int> ReadOnlyNumbers(int count)
    {
        MemoizedMethod memoizedMethod = <AkCache>ReadOnlyNumbers$Method16 ?? (<AkCache>ReadOnlyNumbers$Method16 = MemoizedMethod.Create("AssemblyToProcess.ReturnShapes.ReadOnlyNumbers(System.Int32)", "<il-hash>", 0));
        KeyBuilder keyBuilder = memoizedMethod.BeginKey();
        keyBuilder.Add(count);
        return memoizedMethod.Invoke(keyBuilder.Complete(), new ValueTuple<int>(count), <AkCache>ReadOnlyNumbers$Body17 ?? (<AkCache>ReadOnlyNumbers$Body17 = ReadOnlyNumbers$Invoke), default);
    }

    [CompilerGenerated]
    private static IReadOnlyList<int> ReadOnlyNumbers$Invoke(ValueTuple<int> arguments)
    {
        return ReadOnlyNumbers$Original(arguments.Item1);
    }

    [DebuggerStepThrough]
    public static Animal GetAnimal(string name)
    {
        MemoizedMethod memoizedMethod = <AkCache>GetAnimal$Method18 ?? (<AkCache>GetAnimal$Method18 = MemoizedMethod.Create("AssemblyToProcess.ReturnShapes.GetAnimal(System.String)", "<il-hash>", 0));
        KeyBuilder keyBuilder = memoizedMethod.BeginKey();
        keyBuilder.Add(name);
        return memoizedMethod.Invoke(keyBuilder.Complete(), new ValueTuple<string>(name), <AkCache>GetAnimal$Body19 ?? (<AkCache>GetAnimal$Body19 = GetAnimal$Invoke), default);
    }

    [CompilerGenerated]
    private static Animal GetAnimal$Invoke(ValueTuple<string> arguments)
    {
        return GetAnimal$Original(arguments.Item1);
    }

    [DebuggerStepThrough]
    public static Dictionary<string, object> QuoteInfo(string symbol)
    {
        MemoizedMethod memoizedMethod = <AkCache>QuoteInfo$Method20 ?? (<AkCache>QuoteInfo$Method20 = MemoizedMethod.Create("AssemblyToProcess.ReturnShapes.QuoteInfo(System.String)", "<il-hash>", 0));
        KeyBuilder keyBuilder = memoizedMethod.BeginKey();
        keyBuilder.Add(symbol);
        return memoizedMethod.Invoke(keyBuilder.Complete(), new ValueTuple<string>(symbol), <AkCache>QuoteInfo$Body21 ?? (<AkCache>QuoteInfo$Body21 = QuoteInfo$Invoke), default);
    }

    [CompilerGenerated]
    private static Dictionary<string, object> QuoteInfo$Invoke(ValueTuple<string> arguments)
    {
        return QuoteInfo$Original(arguments.Item1);
    }
}
