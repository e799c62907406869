using System;
using System.Threading;
using System.Threading.Tasks;
using AkCache;

namespace AssemblyToProcess;

public static class AsyncShapes
{
    [Memoize]
    public static async Task<int> AddAsync(int a, int b)
    {
        await Task.Yield();
        Calls.Record(nameof(AddAsync));
        return a + b;
    }

    [Memoize]
    public static Task<string> NotAsync(string name)
    {
        Calls.Record(nameof(NotAsync));
        return Task.FromResult("hi " + name);
    }

    [Memoize]
    public static async ValueTask<long> ValueTaskAsync(long value)
    {
        await Task.Delay(1);
        Calls.Record(nameof(ValueTaskAsync));
        return value * 2;
    }

    [Memoize]
    public static ValueTask<int> CompletedValueTask(int value)
    {
        Calls.Record(nameof(CompletedValueTask));
        return new ValueTask<int>(value + 1);
    }

    [Memoize]
    public static async Task<Quote?> NothingAsync(string symbol)
    {
        await Task.Yield();
        Calls.Record(nameof(NothingAsync));
        return null;
    }

    [Memoize]
    public static async Task<int> ThrowsAsync(int value)
    {
        await Task.Yield();
        Calls.Record(nameof(ThrowsAsync));
        throw new InvalidOperationException("async failure " + value);
    }

    [Memoize]
    public static async Task<int> WaitsAsync(int value, CancellationToken cancellationToken)
    {
        Calls.Record(nameof(WaitsAsync));
        await Task.Delay(TimeSpan.FromMilliseconds(value), cancellationToken);
        return value;
    }
}
