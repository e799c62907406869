using System;
using System.Data;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;

namespace AkCache.Benchmarks.Subjects;

/// <summary>
/// The woven methods: Fody rewrites each [Memoize] method of this assembly at build time, exactly as
/// in a user's project. <see cref="Plain"/> holds the same bodies unwoven.
/// </summary>
public static class Memoized
{
    /// <summary>Item 1: two primitive arguments, a primitive result.</summary>
    [Memoize]
    public static int Add(int a, int b)
    {
        Plain.AddBodyRuns++;
        return Plain.Add(a, b);
    }

    /// <summary>Item 11: <see cref="Add"/> through the Task entry point.</summary>
    [Memoize]
    public static Task<int> AddTask(int a, int b) => Task.FromResult(Plain.Add(a, b));

    /// <summary>Item 11: <see cref="Add"/> through the ValueTask entry point.</summary>
    [Memoize]
    public static ValueTask<int> AddValueTask(int a, int b) => new(Plain.Add(a, b));

    /// <summary>Items 2 and 3: a 1 KB result read from Redis.</summary>
    [Memoize]
    public static Quote GetQuote(int id) => Quote.Create(id);

    /// <summary>Items 2 and 3, asynchronous.</summary>
    [Memoize]
    public static Task<Quote> GetQuoteAsync(int id) => Task.FromResult(Quote.Create(id));

    /// <summary>Item 4: every call has new arguments, so every call misses, computes and stores (5 minutes to live).</summary>
    [Memoize(MaxAgeSeconds = 300)]
    public static Quote FreshQuote(long id) => Quote.Create(id);

    /// <summary>Item 6: a result of <paramref name="size"/> random bytes.</summary>
    [Memoize]
    public static byte[] Blob(int size) => Plain.Blob(size);

    /// <summary>Item 13's writes: every call has a new <paramref name="version"/>, so every call misses and stores <paramref name="size"/> bytes (a copy of one random array, stamped with the version), kept 2 s so that the stores do not fill the server.</summary>
    [Memoize(MaxAgeSeconds = 2)]
    public static byte[] FreshBlob(int size, long version) => Plain.StampedBlob(size, version);

    /// <summary>Item 10: a DataTable of 1,000 rows x 8 columns, read from Redis.</summary>
    [Memoize]
    public static DataTable GetTable(int id) => MarketTable.Create(id);

    /// <summary>Item 10's miss: every call has new arguments, so every call misses, builds the table and stores it (5 minutes to live).</summary>
    [Memoize(MaxAgeSeconds = 300)]
    public static DataTable FreshTable(long id) => MarketTable.Create(id);

    /// <summary>Item 7: a slow computation that many processes want at once; counts how often it runs here.</summary>
    [Memoize(MaxAgeSeconds = 300)]
    public static async Task<Quote> SlowQuoteAsync(string round)
    {
        Interlocked.Increment(ref Plain.Computations);
        await Task.Delay(Plain.ComputeMilliseconds).ConfigureAwait(false);
        return Quote.Create(round.Length);
    }
}

/// <summary>The same bodies, not memoized.</summary>
public static class Plain
{
    public static int Computations;

    /// <summary>How often the body of <see cref="Memoized.Add"/> ran: the setups check that the measured calls are hits.</summary>
    public static int AddBodyRuns;

    public static int ComputeMilliseconds = 200;

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static int Add(int a, int b) => a + b;

    private static byte[]? _stampedSource;

    /// <summary>A copy of one array of <paramref name="size"/> random bytes, its first 8 bytes the version: an incompressible new value at the cost of a copy.</summary>
    public static byte[] StampedBlob(int size, long version)
    {
        var source = _stampedSource is { } known && known.Length == size ? known : _stampedSource = Blob(size);
        var bytes = (byte[])source.Clone();
        BitConverter.TryWriteBytes(bytes, version);
        return bytes;
    }

    public static byte[] Blob(int size)
    {
        var bytes = new byte[size];
        new Random(size).NextBytes(bytes);
        return bytes;
    }
}
