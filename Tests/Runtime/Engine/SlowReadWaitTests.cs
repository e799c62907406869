using System.Diagnostics;
using AkCache.Internals.Engine;
using Xunit;

namespace AkCache.Tests.Runtime.Engine;

/// <summary>How long a call waits for a read before it computes instead (AkCacheOptions.ComputeOnSlowReads): twice the method's usual time, at least the minimum, and never when that reaches the timeout.</summary>
public sealed class SlowReadWaitTests
{
    private const int MinimumMs = 50;
    private const int TimeoutMs = 500;

    private static long Ticks(double milliseconds) => (long)(milliseconds * Stopwatch.Frequency / 1000);

    [Fact]
    public void Before_its_first_computation_a_method_waits_for_Redis_as_long_as_the_read_may_take()
    {
        Assert.Equal(0, new MethodStatistics().SlowReadWaitMs(MinimumMs, TimeoutMs));
    }

    [Theory]
    [InlineData(0.01, 50)]
    [InlineData(10, 50)]
    [InlineData(40, 80)]
    [InlineData(100, 200)]
    [InlineData(249, 498)]
    [InlineData(250, 0)]
    [InlineData(3000, 0)]
    public void The_wait_is_twice_the_usual_computation_at_least_the_minimum_and_none_from_the_timeout_on(double computationMs, int expectedMs)
    {
        var statistics = new MethodStatistics();
        statistics.RecordComputation(Ticks(computationMs));

        Assert.Equal(expectedMs, statistics.SlowReadWaitMs(MinimumMs, TimeoutMs));
    }

    [Fact]
    public void The_usual_time_follows_the_recent_computations()
    {
        var statistics = new MethodStatistics();
        statistics.RecordComputation(Ticks(1000));
        Assert.Equal(0, statistics.SlowReadWaitMs(MinimumMs, TimeoutMs));

        // Quick computations since: the average comes down to them, and the wait with it.
        for (var i = 0; i < 60; i++)
        {
            statistics.RecordComputation(Ticks(60));
        }

        var wait = statistics.SlowReadWaitMs(MinimumMs, TimeoutMs);
        Assert.InRange(wait, 120, 125);
    }

    [Theory]
    [InlineData(50, 0, 50)]
    [InlineData(50, 9_999, 50)]
    [InlineData(50, 10_000, 51)]
    [InlineData(80, 1_048_576, 184)]
    public void A_store_waits_one_millisecond_more_per_ten_kilobytes_of_its_value(int slowAfterMs, int bytes, int expectedMs)
    {
        Assert.Equal(expectedMs, AkCache.Internals.Distributed.RedisAccessor.StoreWaitMs(slowAfterMs, bytes));
    }
}
