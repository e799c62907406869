using System;
using AkCache.Tests.Support;
using Xunit;

namespace AkCache.Tests.Fallback;

/// <summary>
/// What a memory-layer hit returns while Redis is unavailable: for immutable result types one
/// shared value, read from the stored bytes once; for everything else a copy of its own per
/// caller, so that a caller's mutation never reaches another caller.
/// </summary>
public sealed class MemoryLayerValueTests : IDisposable
{
    public MemoryLayerValueTests()
    {
        // Nothing listens on port 1: the first call opens the breaker, and with a one-hour break
        // every later call is answered by the memory layer without trying Redis again.
        AkCacheRuntime.Configure(o =>
        {
            o.RedisUrl = "redis://127.0.0.1:1";
            o.Prefix = "mem" + Guid.NewGuid().ToString("N").Substring(0, 8);
            o.BreakDuration = TimeSpan.FromHours(1);
            o.LoggerFactory = new ListLoggerFactory();
        });
        WovenAssembly.ResetCalls();
    }

    public void Dispose() => AkCacheRuntime.Reset();

    [Fact]
    public void A_mutable_result_is_a_copy_of_its_own_for_every_caller()
    {
        var squares = WovenAssembly.Method<Func<int, int[]>>("ReturnShapes.Squares");

        var first = squares(4);
        first[0] = 99;
        var second = squares(4);
        second[1] = 98;
        var third = squares(4);

        Assert.Equal(new[] { 0, 1, 4, 9 }, third);
        Assert.NotSame(second, third);
        Assert.Equal(1, WovenAssembly.Calls("Squares"));
    }

    [Fact]
    public void An_immutable_result_is_read_once_and_shared()
    {
        var greet = WovenAssembly.Method<Func<string, string>>("Basic.Greet");

        var computed = greet("memory");
        var firstHit = greet("memory");
        var secondHit = greet("memory");

        Assert.Equal(computed, firstHit);
        Assert.Same(firstHit, secondHit);
        Assert.Equal(1, WovenAssembly.Calls("Greet"));
    }

    [Fact]
    public void A_shared_value_is_the_value_read_from_the_bytes()
    {
        var localTime = WovenAssembly.Method<Func<int, DateTime>>("ReturnShapes.LocalTime");
        var scaled = WovenAssembly.Method<Func<int, decimal>>("ReturnShapes.Scaled");
        var findNumber = WovenAssembly.Method<Func<int, int?>>("NullAndDefaultResults.FindNumber");
        var findName = WovenAssembly.Method<Func<int, string?>>("NullAndDefaultResults.FindName");

        var time = localTime(9);
        Assert.Equal(time, localTime(9));
        Assert.Equal(time.Kind, localTime(9).Kind);
        Assert.Equal(scaled(3).ToString(System.Globalization.CultureInfo.InvariantCulture), scaled(3).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(findNumber(0), findNumber(0));
        Assert.Equal(findNumber(7), findNumber(7));
        Assert.Equal(findName(0), findName(0));
        Assert.Equal(findName(7), findName(7));

        Assert.Equal(1, WovenAssembly.Calls("LocalTime"));
        Assert.Equal(1, WovenAssembly.Calls("Scaled"));
        Assert.Equal(2, WovenAssembly.Calls("FindNumber"));
        Assert.Equal(2, WovenAssembly.Calls("FindName"));
    }
}
