using System;
using System.Globalization;
using System.IO;
using System.Linq;
using AkCache.Tests.Infrastructure;
using AkCache.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace AkCache.Tests.SingleFlight;

/// <summary>
/// Many processes, one computation: TestWorker processes race on a cold key through a real Redis.
/// Durations are reported; the assertions on time are loose ceilings, the counts are exact.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class CrossProcessSingleFlightTests
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);
    private readonly RedisTestServer _server;
    private readonly ITestOutputHelper _output;
    private readonly string _prefix = "flight" + Guid.NewGuid().ToString("N").Substring(0, 10);

    public CrossProcessSingleFlightTests(RedisServerFixture fixture, ITestOutputHelper output)
    {
        _server = fixture.Server;
        _output = output;
    }

    internal static Outcome Analyse(WorkerProcesses workers)
    {
        var lines = workers.Lines.ToList();
        var starts = lines.Where(l => l.StartsWith("COMPUTE-START ", StringComparison.Ordinal)).ToList();
        var ends = lines.Where(l => l.StartsWith("COMPUTE-END ", StringComparison.Ordinal)).Select(l => long.Parse(l.Split(' ')[2], CultureInfo.InvariantCulture)).ToList();
        var results = lines.Where(l => l.StartsWith("RESULT ", StringComparison.Ordinal)).Select(l => l.Split(' ')).ToList();
        var errors = lines.Where(l => l.StartsWith("ERROR ", StringComparison.Ordinal)).ToList();
        return new Outcome(
            starts.Count,
            results.Select(r => r[2]).Distinct().ToList(),
            results.Count,
            errors,
            ends.Count == 0 ? 0 : ends.Max(),
            results.Count == 0 ? 0 : results.Max(r => long.Parse(r[3], CultureInfo.InvariantCulture)),
            results.Count == 0 ? 0 : results.Max(r => long.Parse(r[4], CultureInfo.InvariantCulture)));
    }

    private WorkerProcesses Start(int processes, int threads, int computeMs, params string[] more) =>
        new(processes, new[] { "--key", _prefix, "--threads", threads.ToString(CultureInfo.InvariantCulture), "--compute-ms", computeMs.ToString(CultureInfo.InvariantCulture) }.Concat(more), _server.Url, _prefix);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Eight_processes_of_eight_threads_on_a_cold_key_compute_once(bool asynchronous)
    {
        using var workers = Start(8, 8, 2000, asynchronous ? new[] { "--async" } : Array.Empty<string>());
        workers.Go(ReadyTimeout);
        workers.WaitForExit(TimeSpan.FromSeconds(60));

        var outcome = Analyse(workers);
        _output.WriteLine($"computations {outcome.Computations}, results {outcome.ResultCount}, slowest caller {outcome.SlowestCallerMs} ms for a 2000 ms computation, last caller returned {outcome.LastResultAt - outcome.LastComputeEnd} ms after the computation ended");
        Assert.True(outcome.Computations == 1, string.Join("\n", workers.Workers.Select(w => w.Describe())));
        Assert.Equal(64, outcome.ResultCount);
        Assert.Single(outcome.Values);
        Assert.Empty(outcome.Errors);
        Assert.InRange(outcome.SlowestCallerMs, 2000, 2000 + 3000);
    }

    [Fact]
    public void A_killed_owner_loses_its_lock_and_another_process_takes_over()
    {
        using var workers = Start(4, 2, 3000, "--lock-ttl-ms", "1500");
        workers.Go(ReadyTimeout);
        var owner = workers.WaitForLine(l => l.StartsWith("COMPUTE-START ", StringComparison.Ordinal), TimeSpan.FromSeconds(20));
        owner.Kill();
        workers.WaitForExit(TimeSpan.FromSeconds(60));

        var outcome = Analyse(workers);
        _output.WriteLine($"computations {outcome.Computations}, slowest surviving caller {outcome.SlowestCallerMs} ms (lock TTL 1500 ms, computation 3000 ms)");
        Assert.True(outcome.Computations == 2, string.Join("\n", workers.Workers.Select(w => w.Describe())));
        Assert.Equal(6, outcome.ResultCount);
        Assert.Single(outcome.Values);
        Assert.DoesNotContain(owner.Id.ToString(CultureInfo.InvariantCulture), outcome.Values[0]);
        Assert.All(workers.Workers.Where(w => !w.Killed), w => Assert.Equal(0, w.ExitCode));
    }

    [Fact]
    public void An_owner_that_throws_releases_the_lock_and_nobody_hangs()
    {
        var marker = Path.Combine(Path.GetTempPath(), "akcache-fail-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var workers = Start(4, 2, 500, "--fail-marker", marker);
            workers.Go(ReadyTimeout);
            workers.WaitForExit(TimeSpan.FromSeconds(30));

            var outcome = Analyse(workers);
            var failed = workers.Workers.Single(w => w.Lines.Any(l => l.StartsWith("COMPUTE-FAILED ", StringComparison.Ordinal)));
            _output.WriteLine($"computations {outcome.Computations}, slowest caller {outcome.SlowestCallerMs} ms");
            Assert.True(outcome.Computations == 2, string.Join("\n", workers.Workers.Select(w => w.Describe())));

            // The owner's exception reaches the callers of its own process; the other processes retry and share one result.
            Assert.Equal(2, failed.Lines.Count(l => l.StartsWith("ERROR ", StringComparison.Ordinal)));
            Assert.Equal(2, outcome.Errors.Count);
            Assert.Equal(6, outcome.ResultCount);
            Assert.Single(outcome.Values);
        }
        finally
        {
            File.Delete(marker);
        }
    }

    [Fact]
    public void A_computation_longer_than_the_lock_time_to_live_is_still_computed_once()
    {
        using var workers = Start(3, 2, 2500, "--lock-ttl-ms", "600");
        workers.Go(ReadyTimeout);
        workers.WaitForExit(TimeSpan.FromSeconds(60));

        var outcome = Analyse(workers);
        Assert.True(outcome.Computations == 1, string.Join("\n", workers.Workers.Select(w => w.Describe())));
        Assert.Equal(6, outcome.ResultCount);
        Assert.Single(outcome.Values);
    }

    internal sealed record Outcome(int Computations, System.Collections.Generic.List<string> Values, int ResultCount, System.Collections.Generic.List<string> Errors, long LastComputeEnd, long LastResultAt, long SlowestCallerMs);
}
