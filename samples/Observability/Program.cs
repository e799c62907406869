using System;
using System.Threading;
using AkCache;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

// docs/observability.md's example: AkCache's meter and ActivitySource, exported to the console by
// OpenTelemetry. Redis: AKCACHE_REDIS_URL (or REDIS_URL); without one, AkCache caches in this process.
using var meters = Sdk.CreateMeterProviderBuilder()
    .AddMeter("AkCache")
    .AddConsoleExporter()
    .Build();

using var traces = Sdk.CreateTracerProviderBuilder()
    .AddSource("AkCache")
    .AddConsoleExporter()
    .Build();

// Two misses (each a span with a computation in it), then hits, which make no span and are counted.
foreach (var symbol in new[] { "600519", "000858", "600519", "600519", "000858" })
{
    Console.WriteLine($"{symbol}: {Quotes.LastClose(symbol)}");
}

// The meter is read when the provider is disposed (at the end of this program), or every minute meanwhile.
meters.ForceFlush();

internal static class Quotes
{
    /// <summary>A slow lookup, memoized across processes.</summary>
    [Memoize(MaxAgeSeconds = 60)]
    public static decimal LastClose(string symbol)
    {
        Thread.Sleep(50);
        return symbol.Length * 100.5m;
    }
}
