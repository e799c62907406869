using System;
using System.Globalization;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Threading;
using System.Threading.Tasks;
using AkCache;

// Prints what it ran on, then each memoized result twice and how many times the bodies ran; Tests/Framework parses the lines.
// Redis: AKCACHE_REDIS_URL, as for any application.
Console.WriteLine($"runtime {RuntimeInformation.FrameworkDescription}");
Console.WriteLine($"akcache {typeof(AkCacheRuntime).Assembly.GetCustomAttribute<TargetFrameworkAttribute>()?.FrameworkName}");
Console.WriteLine($"square {Checks.Square(12)} {Checks.Square(12)} {Checks.Square(13)}");
Console.WriteLine($"history {Checks.Describe(Checks.History("600000", 3))} {Checks.Describe(Checks.History("600000", 3))}");
Console.WriteLine($"quote {await Checks.QuoteAsync("ABC", CancellationToken.None)} {await Checks.QuoteAsync("ABC", CancellationToken.None)}");
Console.WriteLine($"computations {Checks.Computations}");

public sealed record Bar(DateTime Day, decimal Close);

public static class Checks
{
    private static int s_computations;

    public static int Computations => Volatile.Read(ref s_computations);

    [Memoize]
    public static int Square(int x)
    {
        Interlocked.Increment(ref s_computations);
        return x * x;
    }

    // A user type with no MessagePack attributes: the serializer's generated code has to run on this runtime.
    [Memoize(MaxAgeSeconds = 3600)]
    public static Bar[] History(string symbol, int days)
    {
        Interlocked.Increment(ref s_computations);
        var start = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        return Enumerable.Range(0, days).Select(i => new Bar(start.AddDays(i), 10m + (symbol.Length * i % 7) / 4m)).ToArray();
    }

    [Memoize]
    public static async Task<string> QuoteAsync(string symbol, CancellationToken cancellationToken)
    {
        await Task.Delay(1, cancellationToken).ConfigureAwait(false);
        Interlocked.Increment(ref s_computations);
        return symbol + ":" + symbol.Length.ToString(CultureInfo.InvariantCulture);
    }

    public static string Describe(Bar[] bars) =>
        string.Join(",", bars.Select(b => b.Day.ToString("MM-dd", CultureInfo.InvariantCulture) + "=" + b.Close.ToString(CultureInfo.InvariantCulture)));
}
