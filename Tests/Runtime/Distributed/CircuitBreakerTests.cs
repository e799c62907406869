using System;
using System.Threading;
using System.Threading.Tasks;
using AkCache.Internals.Distributed;
using AkCache.Tests.Support;
using Xunit;

namespace AkCache.Tests.Runtime.Distributed;

public sealed class CircuitBreakerTests
{
    private static readonly TimeSpan BreakDuration = TimeSpan.FromSeconds(2);

    private readonly ManualTimeProvider _time = new();
    private readonly CircuitBreaker _breaker;

    public CircuitBreakerTests()
    {
        _breaker = new CircuitBreaker(BreakDuration, _time);
    }

    [Fact]
    public void A_closed_breaker_lets_every_caller_in()
    {
        Assert.True(_breaker.IsClosed);
        for (var i = 0; i < 100; i++)
        {
            Assert.True(_breaker.TryEnter());
        }

        Assert.True(_breaker.IsClosed);
    }

    [Fact]
    public void After_a_failure_nobody_enters_until_the_break_has_passed()
    {
        Assert.True(_breaker.RecordFailure());
        Assert.False(_breaker.IsClosed);
        Assert.False(_breaker.TryEnter());

        _time.Advance(BreakDuration - TimeSpan.FromTicks(1));
        Assert.False(_breaker.TryEnter());

        _time.Advance(TimeSpan.FromTicks(1));
        Assert.True(_breaker.TryEnter());
    }

    [Fact]
    public void After_the_break_exactly_one_caller_probes()
    {
        _breaker.RecordFailure();
        _time.Advance(BreakDuration);

        Assert.True(_breaker.TryEnter());
        Assert.False(_breaker.TryEnter());
        Assert.False(_breaker.TryEnter());
        Assert.False(_breaker.IsClosed);
    }

    [Fact]
    public void After_the_break_exactly_one_of_many_concurrent_callers_probes()
    {
        _breaker.RecordFailure();
        for (var round = 0; round < 20; round++)
        {
            _time.Advance(BreakDuration);
            var entered = 0;

            Parallel.For(0, 10_000, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(4, Environment.ProcessorCount) }, _ =>
            {
                if (_breaker.TryEnter())
                {
                    Interlocked.Increment(ref entered);
                }
            });

            Assert.Equal(1, entered);
        }
    }

    [Fact]
    public void A_failed_probe_reopens_the_breaker_without_reporting_a_new_outage()
    {
        Assert.True(_breaker.RecordFailure());
        _time.Advance(BreakDuration);
        Assert.True(_breaker.TryEnter());

        Assert.False(_breaker.RecordFailure());

        Assert.False(_breaker.IsClosed);
        _time.Advance(BreakDuration - TimeSpan.FromTicks(1));
        Assert.False(_breaker.TryEnter());
        _time.Advance(TimeSpan.FromTicks(1));
        Assert.True(_breaker.TryEnter());
        Assert.False(_breaker.TryEnter());
    }

    [Fact]
    public void Further_failures_while_open_do_not_report_a_new_outage()
    {
        Assert.True(_breaker.RecordFailure());
        Assert.False(_breaker.RecordFailure());
        Assert.False(_breaker.RecordFailure());
    }

    [Fact]
    public void A_successful_probe_closes_the_breaker_and_reports_it_once()
    {
        _breaker.RecordFailure();
        _time.Advance(BreakDuration);
        Assert.True(_breaker.TryEnter());

        Assert.True(_breaker.RecordSuccess());
        Assert.False(_breaker.RecordSuccess());

        Assert.True(_breaker.IsClosed);
        Assert.True(_breaker.TryEnter());
        Assert.True(_breaker.TryEnter());
    }

    [Fact]
    public void Success_on_a_closed_breaker_reports_nothing()
    {
        Assert.False(_breaker.RecordSuccess());
        Assert.True(_breaker.IsClosed);
    }

    [Fact]
    public void Once_closed_a_new_failure_reports_a_new_outage()
    {
        _breaker.RecordFailure();
        _breaker.RecordSuccess();

        Assert.True(_breaker.RecordFailure());
        Assert.False(_breaker.TryEnter());
    }

    [Fact]
    public void Concurrent_failures_report_the_outage_once_and_concurrent_successes_report_the_recovery_once()
    {
        var opened = 0;
        Parallel.For(0, 10_000, _ =>
        {
            if (_breaker.RecordFailure())
            {
                Interlocked.Increment(ref opened);
            }
        });
        Assert.Equal(1, opened);

        var closed = 0;
        Parallel.For(0, 10_000, _ =>
        {
            if (_breaker.RecordSuccess())
            {
                Interlocked.Increment(ref closed);
            }
        });
        Assert.Equal(1, closed);
        Assert.True(_breaker.IsClosed);
    }

    [Fact]
    public void IsSkipping_holds_from_a_failure_until_the_break_is_over()
    {
        var time = new ManualTimeProvider();
        var breaker = new CircuitBreaker(TimeSpan.FromSeconds(2), time);
        Assert.False(breaker.IsSkipping);

        breaker.RecordFailure();
        Assert.True(breaker.IsSkipping);

        time.Advance(TimeSpan.FromSeconds(2));
        Assert.False(breaker.IsSkipping);
        Assert.True(breaker.TryEnter());
        Assert.True(breaker.IsSkipping);

        breaker.RecordSuccess();
        Assert.False(breaker.IsSkipping);
    }
}
