using System;
using System.Globalization;
using System.IO;
using System.Linq;
using AkCache.Tests.Infrastructure;
using AkCache.Tests.Support;
using StackExchange.Redis;
using Xunit;
using Xunit.Abstractions;

namespace AkCache.Tests.SingleFlight;

/// <summary>
/// Many processes, one computation: TestWorker processes race on a cold key through a real Redis.
/// Durations are reported; the assertions on time are loose ceilings against hangs, the counts are exact.
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

    /// <summary>
    /// The server's own order of commands decides how the waiting processes learned the value: a
    /// waiter that relied on its 250 ms look would run the lock script once more after the
    /// announcement; one woken by an announcement that carries the value sends nothing more.
    /// </summary>
    [SkippableTheory]
    [InlineData(false)]
    [InlineData(true)]
    public void Eight_processes_of_eight_threads_on_a_cold_key_compute_once_and_the_announcement_wakes_the_others(bool asynchronous)
    {
        Skip.If(_server.Kind != RedisTestServer.RedisServerKind, $"MONITOR, which orders the commands, needs redis-server; this run has {_server}.");
        using var log = new CommandLog(_server.Port);
        using var workers = Start(8, 8, 2000, asynchronous ? new[] { "--async" } : Array.Empty<string>());
        workers.Go(ReadyTimeout);
        workers.WaitForExit(TimeSpan.FromSeconds(60));

        var outcome = Analyse(workers);
        _output.WriteLine($"computations {outcome.Computations}, results {outcome.ResultCount}, slowest caller {outcome.SlowestCallerMs} ms for a 2000 ms computation, last caller returned {outcome.LastResultAt - outcome.LastComputeEnd} ms after the computation ended");
        var valueKey = StoredValueKey(asynchronous ? "ComputeAsync" : "Compute");
        var commands = log.AllSoFar();
        Assert.True(outcome.Computations == 1, string.Join("\n", workers.Workers.Select(w => w.Describe())) + "\n" + CommandLog.Describe(commands.Where(c => c.Arguments.Any(a => a.StartsWith(valueKey, StringComparison.Ordinal)))));
        Assert.Equal(64, outcome.ResultCount);
        Assert.Single(outcome.Values);
        Assert.Empty(outcome.Errors);
        Assert.InRange(outcome.SlowestCallerMs, 2000, 2000 + 3000);

        var announcements = commands.Select((c, i) => (c, i)).Where(x => x.c.IsAnnouncementOf(valueKey)).ToList();
        var (announcement, at) = Assert.Single(announcements);
        Assert.StartsWith(valueKey + "\n", announcement.Arguments[1], StringComparison.Ordinal);
        var looksBefore = commands.Take(at).Count(c => c.IsLockScriptOn(valueKey));
        var looksAfter = commands.Skip(at).Count(c => c.IsLockScriptOn(valueKey));
        _output.WriteLine($"lock script runs: {looksBefore} before the announcement (the 7 waiting processes' looks every 250 ms), {looksAfter} after it");

        // Seven processes waited; polling alone makes each of them look once more: 7. A look whose
        // timer fired before the announcement reached its process may cross it (up to 2 in ten runs
        // on a busy 2-core machine), so a few are allowed, never most.
        Assert.True(looksAfter <= 3, $"{looksAfter} lock script runs after the announcement:\n" + CommandLog.Describe(commands.Where(c => c.IsLockScriptOn(valueKey) || c.IsAnnouncementOf(valueKey))));
        Assert.True(looksBefore >= 7 * 2, $"{looksBefore} lock script runs before the announcement: every waiting process looks twice at least");
    }

    [Fact]
    public void While_Redis_is_down_each_process_computes_once_for_all_its_threads()
    {
        // Nothing listens on port 1 (binding it takes root, and no test does).
        using var workers = new WorkerProcesses(4, new[] { "--key", _prefix, "--threads", "8", "--compute-ms", "1000" }, "redis://127.0.0.1:1", _prefix);
        workers.Go(ReadyTimeout);
        workers.WaitForExit(TimeSpan.FromSeconds(60));

        var outcome = Analyse(workers);
        _output.WriteLine($"computations {outcome.Computations}, results {outcome.ResultCount}, slowest caller {outcome.SlowestCallerMs} ms");
        Assert.True(outcome.Computations == 4, $"{outcome.Computations} computations in 4 processes\n" + string.Join("\n", workers.Workers.Select(w => w.Describe())));
        Assert.Equal(32, outcome.ResultCount);
        Assert.Empty(outcome.Errors);
        Assert.All(workers.Workers, w =>
        {
            Assert.Single(w.Lines, l => l.StartsWith("COMPUTE-START ", StringComparison.Ordinal));
            var values = w.Lines.Where(l => l.StartsWith("RESULT ", StringComparison.Ordinal)).Select(l => l.Split(' ')[2]).Distinct();
            Assert.Equal(new[] { $"{_prefix}-by-{w.Id.ToString(CultureInfo.InvariantCulture)}" }, values);
        });
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

    /// <summary>
    /// An owner asked to stop (SIGTERM) during its computation releases its lock on the way out
    /// (ProcessExit), so the waiting process takes the computation over at once. Without that the
    /// dead owner's token stayed in the lock for LockTimeToLive (20 s here): the check is the
    /// lock's token right after the owner is gone, not a time.
    /// </summary>
    [SkippableFact]
    public void An_owner_that_exits_gracefully_releases_its_lock_and_another_process_takes_over_at_once()
    {
        Skip.If(OperatingSystem.IsWindows(), "SIGTERM is a Unix signal");
        using var workers = Start(2, 1, 20_000, "--lock-ttl-ms", "20000");
        workers.Go(ReadyTimeout);
        var owner = workers.WaitForLine(l => l.StartsWith("COMPUTE-START ", StringComparison.Ordinal), TimeSpan.FromSeconds(20));
        var waiter = workers.Workers.Single(w => w != owner);
        using var admin = ConnectionMultiplexer.Connect(_server.Endpoint + ",allowAdmin=true");
        var lockKey = admin.GetServer(_server.Endpoint).Keys(pattern: _prefix + ":*:lock").Select(k => k.ToString()).Single();
        var ownerToken = (string?)admin.GetDatabase().StringGet(lockKey);
        Assert.NotNull(ownerToken);

        owner.Terminate();
        Assert.True(owner.WaitForExit(TimeSpan.FromSeconds(10)), "the owner did not exit on SIGTERM\n" + owner.Describe());
        var tokenAfterExit = (string?)admin.GetDatabase().StringGet(lockKey);
        _output.WriteLine($"owner exit code {owner.ExitCode}; lock after its exit: {(tokenAfterExit is null ? "none" : tokenAfterExit == ownerToken ? "the owner's" : "another's")}");
        Assert.NotEqual(ownerToken, tokenAfterExit);

        // The waiter was woken by the release and computes now, well before the lock would have expired.
        workers.WaitForLine(l => l.StartsWith("COMPUTE-START ", StringComparison.Ordinal) && l.Contains(waiter.Id.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal), TimeSpan.FromSeconds(15));
        Assert.DoesNotContain(owner.Lines, l => l.StartsWith("RESULT ", StringComparison.Ordinal));
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

    private string StoredValueKey(string method)
    {
        using var connection = ConnectionMultiplexer.Connect(_server.Endpoint);
        return Assert.Single(connection.GetServer(_server.Endpoint).Keys(pattern: _prefix + ":TestWorker.Slow." + method + "(*")).ToString();
    }

    internal sealed record Outcome(int Computations, System.Collections.Generic.List<string> Values, int ResultCount, System.Collections.Generic.List<string> Errors, long LastComputeEnd, long LastResultAt, long SlowestCallerMs);
}
