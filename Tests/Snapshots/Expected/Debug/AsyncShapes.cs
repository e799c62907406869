using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using AkCache.CompilerServices;

namespace AssemblyToProcess;

public static class AsyncShapes
{
    [CompilerGenerated]
    private static MemoizedMethod <AkCache>AddAsync$Method0;

    [CompilerGenerated]
    private static Func<(int, int), Task<int>> <AkCache>AddAsync$Body1;

    [CompilerGenerated]
    private static MemoizedMethod <AkCache>NotAsync$Method2;

    [CompilerGenerated]
    private static Func<ValueTuple<string>, Task<string>> <AkCache>NotAsync$Body3;

    [CompilerGenerated]
    private static MemoizedMethod <AkCache>ValueTaskAsync$Method4;

    [CompilerGenerated]
    private static Func<ValueTuple<long>, ValueTask<long>> <AkCache>ValueTaskAsync$Body5;

    [CompilerGenerated]
    private static MemoizedMethod <AkCache>CompletedValueTask$Method6;

    [CompilerGenerated]
    private static Func<ValueTuple<int>, ValueTask<int>> <AkCache>CompletedValueTask$Body7;

    [CompilerGenerated]
    private static MemoizedMethod <AkCache>NothingAsync$Method8;

    [CompilerGenerated]
    private static Func<ValueTuple<string>, Task<Quote>> <AkCache>NothingAsync$Body9;

    [CompilerGenerated]
    private static MemoizedMethod <AkCache>ThrowsAsync$Method10;

    [CompilerGenerated]
    private static Func<ValueTuple<int>, Task<int>> <AkCache>ThrowsAsync$Body11;

    [CompilerGenerated]
    private static MemoizedMethod <AkCache>WaitsAsync$Method12;

    [CompilerGenerated]
    private static Func<(int, CancellationToken), Task<int>> <AkCache>WaitsAsync$Body13;

    private static async Task<int> AddAsync$Original(int a, int b)
    {
        await Task.Yield();
        Calls.Record("AddAsync");
        return a + b;
    }

    private static Task<string> NotAsync$Original(string name)
    {
        Calls.Record("NotAsync");
        return Task.FromResult("hi " + name);
    }

    private static async ValueTask<long> ValueTaskAsync$Original(long value)
    {
        await Task.Delay(1);
        Calls.Record("ValueTaskAsync");
        return value * 2;
    }

    private static ValueTask<int> CompletedValueTask$Original(int value)
    {
        Calls.Record("CompletedValueTask");
        return new ValueTask<int>(value + 1);
    }

    private static async Task<Quote?> NothingAsync$Original(string symbol)
    {
        await Task.Yield();
        Calls.Record("NothingAsync");
        return null;
    }

    private static async Task<int> ThrowsAsync$Original(int value)
    {
        await Task.Yield();
        Calls.Record("ThrowsAsync");
        throw new InvalidOperationException("async failure " + value);
    }

    private static async Task<int> WaitsAsync$Original(int value, CancellationToken cancellationToken)
    {
        Calls.Record("WaitsAsync");
        await Task.Delay(TimeSpan.FromMilliseconds(value), cancellationToken);
        return value;
    }

    [DebuggerStepThrough]
    public static Task<int> AddAsync(int a, int b)
    {
        MemoizedMethod memoizedMethod = <AkCache>AddAsync$Method0 ?? (<AkCache>AddAsync$Method0 = MemoizedMethod.Create("AssemblyToProcess.AsyncShapes.AddAsync(System.Int32,System.Int32)", "<il-hash>", 0));
        KeyBuilder keyBuilder = memoizedMethod.BeginKey();
        keyBuilder.Add(a);
        keyBuilder.Add(b);
        return memoizedMethod.InvokeAsync(keyBuilder.Complete(), (a, b), <AkCache>AddAsync$Body1 ?? (<AkCache>AddAsync$Body1 = AddAsync$Invoke), default);
    }

    [CompilerGenerated]
    private static Task<int> AddAsync$Invoke((int, int) arguments)
    {
        return AddAsync$Original(arguments.Item1, arguments.Item2);
    }

    [DebuggerStepThrough]
    public static Task<string> NotAsync(string name)
    {
        MemoizedMethod memoizedMethod = <AkCache>NotAsync$Method2 ?? (<AkCache>NotAsync$Method2 = MemoizedMethod.Create("AssemblyToProcess.AsyncShapes.NotAsync(System.String)", "<il-hash>", 0));
        KeyBuilder keyBuilder = memoizedMethod.BeginKey();
        keyBuilder.Add(name);
        return memoizedMethod.InvokeAsync(keyBuilder.Complete(), new ValueTuple<string>(name), <AkCache>NotAsync$Body3 ?? (<AkCache>NotAsync$Body3 = NotAsync$Invoke), default);
    }

    [CompilerGenerated]
    private static Task<string> NotAsync$Invoke(ValueTuple<string> arguments)
    {
        return NotAsync$Original(arguments.Item1);
    }

    [DebuggerStepThrough]
    public static ValueTask<long> ValueTaskAsync(long value)
    {
        MemoizedMethod memoizedMethod = <AkCache>ValueTaskAsync$Method4 ?? (<AkCache>ValueTaskAsync$Method4 = MemoizedMethod.Create("AssemblyToProcess.AsyncShapes.ValueTaskAsync(System.Int64)", "<il-hash>", 0));
        KeyBuilder keyBuilder = memoizedMethod.BeginKey();
        keyBuilder.Add(value);
        return memoizedMethod.InvokeValueTaskAsync(keyBuilder.Complete(), new ValueTuple<long>(value), <AkCache>ValueTaskAsync$Body5 ?? (<AkCache>ValueTaskAsync$Body5 = ValueTaskAsync$Invoke), default);
    }

    [CompilerGenerated]
    private static ValueTask<long> ValueTaskAsync$Invoke(ValueTuple<long> arguments)
    {
        return ValueTaskAsync$Original(arguments.Item1);
    }

    [DebuggerStepThrough]
    public static ValueTask<int> CompletedValueTask(int value)
    {
        MemoizedMethod memoizedMethod = <AkCache>CompletedValueTask$Method6 ?? (<AkCache>CompletedValueTask$Method6 = MemoizedMethod.Create("AssemblyToProcess.AsyncShapes.CompletedValueTask(System.Int32)", "<il-hash>", 0));
        KeyBuilder keyBuilder = memoizedMethod.BeginKey();
        keyBuilder.Add(value);
        return memoizedMethod.InvokeValueTaskAsync(keyBuilder.Complete(), new ValueTuple<int>(value), <AkCache>CompletedValueTask$Body7 ?? (<AkCache>CompletedValueTask$Body7 = CompletedValueTask$Invoke), default);
    }

    [CompilerGenerated]
    private static ValueTask<int> CompletedValueTask$Invoke(ValueTuple<int> arguments)
    {
        return CompletedValueTask$Original(arguments.Item1);
    }

    [DebuggerStepThrough]
    public static Task<Quote?> NothingAsync(string symbol)
    {
        MemoizedMethod memoizedMethod = <AkCache>NothingAsync$Method8 ?? (<AkCache>NothingAsync$Method8 = MemoizedMethod.Create("AssemblyToProcess.AsyncShapes.NothingAsync(System.String)", "<il-hash>", 0));
        KeyBuilder keyBuilder = memoizedMethod.BeginKey();
        keyBuilder.Add(symbol);
        return memoizedMethod.InvokeAsync(keyBuilder.Complete(), new ValueTuple<string>(symbol), <AkCache>NothingAsync$Body9 ?? (<AkCache>NothingAsync$Body9 = NothingAsync$Invoke), default);
    }

    [CompilerGenerated]
    private static Task<Quote> NothingAsync$Invoke(ValueTuple<string> arguments)
    {
        return NothingAsync$Original(arguments.Item1);
    }

    [DebuggerStepThrough]
    public static Task<int> ThrowsAsync(int value)
    {
        MemoizedMethod memoizedMethod = <AkCache>ThrowsAsync$Method10 ?? (<AkCache>ThrowsAsync$Method10 = MemoizedMethod.Create("AssemblyToProcess.AsyncShapes.ThrowsAsync(System.Int32)", "<il-hash>", 0));
        KeyBuilder keyBuilder = memoizedMethod.BeginKey();
        keyBuilder.Add(value);
        return memoizedMethod.InvokeAsync(keyBuilder.Complete(), new ValueTuple<int>(value), <AkCache>ThrowsAsync$Body11 ?? (<AkCache>ThrowsAsync$Body11 = ThrowsAsync$Invoke), default);
    }

    [CompilerGenerated]
    private static Task<int> ThrowsAsync$Invoke(ValueTuple<int> arguments)
    {
        return ThrowsAsync$Original(arguments.Item1);
    }

    [DebuggerStepThrough]
    public static Task<int> WaitsAsync(int value, CancellationToken cancellationToken)
    {
        MemoizedMethod memoizedMethod = <AkCache>WaitsAsync$Method12 ?? (<AkCache>WaitsAsync$Method12 = MemoizedMethod.Create("AssemblyToProcess.AsyncShapes.WaitsAsync(System.Int32,System.Threading.CancellationToken)", "<il-hash>", 0));
        KeyBuilder keyBuilder = memoizedMethod.BeginKey();
        keyBuilder.Add(value);
        return memoizedMethod.InvokeAsync(keyBuilder.Complete(), (value, cancellationToken), <AkCache>WaitsAsync$Body13 ?? (<AkCache>WaitsAsync$Body13 = WaitsAsync$Invoke), cancellationToken);
    }

    [CompilerGenerated]
    private static Task<int> WaitsAsync$Invoke((int, CancellationToken) arguments)
    {
        return WaitsAsync$Original(arguments.Item1, arguments.Item2);
    }
}
