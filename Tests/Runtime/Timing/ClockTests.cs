using System;
using System.Threading;
using AkCache.Internals.Timing;
using AkCache.Tests.Support;
using Xunit;

namespace AkCache.Tests.Runtime.Timing;

public sealed class ClockTests
{
    [Fact]
    public void A_manual_provider_drives_both_readings()
    {
        var time = new ManualTimeProvider();
        var clock = Clock.For(time);
        var unix = time.GetUtcNow().ToUnixTimeMilliseconds();

        Assert.Equal(unix, clock.UnixMilliseconds());
        Assert.Equal(unix, clock.Milliseconds());
        Assert.Equal(unix + 5000, clock.ToDeadline(unix + 5000));

        time.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(unix + 3000, clock.Milliseconds());
        Assert.Equal(unix + 3000, clock.UnixMilliseconds());
    }

    [Fact]
    public void The_system_clock_is_shared_and_its_milliseconds_move_forward()
    {
        Assert.Same(Clock.System, Clock.For(TimeProvider.System));
        var before = Clock.System.Milliseconds();
        Thread.Sleep(50);
        var after = Clock.System.Milliseconds();

        // The tick's resolution is coarse (up to 16 ms), never backwards, and at least the sleep minus one tick.
        Assert.InRange(after - before, 30, 60_000);
    }

    [Fact]
    public void A_deadline_on_the_system_clock_is_the_remaining_time_from_now()
    {
        var clock = Clock.System;
        var deadline = clock.ToDeadline(clock.UnixMilliseconds() + 10_000);
        var remaining = deadline - clock.Milliseconds();

        Assert.InRange(remaining, 9_000, 10_100);
        Assert.True(clock.ToDeadline(long.MaxValue) > clock.Milliseconds() + TimeSpan.FromDays(365 * 100).TotalMilliseconds, "a far expiry must not overflow into the past");
    }
}
