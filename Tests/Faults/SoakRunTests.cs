using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using AkCache.Tests.Infrastructure;
using AkCache.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace AkCache.Tests.Faults;

/// <summary>
/// The soak run (soak/AkCache.Soak, docs/reliability.md) is its own command of ten minutes; these
/// tests run it for half a minute so that it keeps working: two worker processes against a master,
/// a replica and a sentinel that it starts, with every event of the full run (restarts by SIGKILL and
/// SIGTERM, a FLUSHALL, a promotion). The second test shows that the run reports and fails on a
/// wrong result.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class SoakRunTests
{
    private readonly ITestOutputHelper _output;

    public SoakRunTests(ITestOutputHelper output) => _output = output;

    private static string Soak => Path.Combine(ProcessRunner.RepositoryRoot(), "soak", "AkCache.Soak", "bin", WorkerProcesses.Configuration, "net10.0", "AkCache.Soak.dll");

    [SkippableFact]
    public void A_short_soak_with_restarts_a_flush_and_a_promotion_sees_no_wrong_result_and_no_exception()
    {
        RequireRedisServer();
        var result = Run("--minutes", "0.5", "--processes", "2", "--threads", "2", "--keys", "40", "--restart-every", "8");

        Assert.True(result.ExitCode == 0, $"the soak failed ({result.ExitCode}):\n{result.Output}\n{result.Error}");
        Assert.Contains("| wrong results | 0 |", result.Output, StringComparison.Ordinal);
        Assert.Contains("| exceptions reaching a caller | 0 |", result.Output, StringComparison.Ordinal);
        Assert.Contains("| workers without a report | 0 |", result.Output, StringComparison.Ordinal);

        // Every event of the full run happened: restarts at 8, 16 and 24 s, the flush at 12, the promotion at 20.
        var events = Regex.Matches(result.Output, @"^\| [0-9.]+ s \| (restart \(SIGKILL\)|restart \(SIGTERM\)|flushall|promotion) \|", RegexOptions.Multiline)
            .Select(m => m.Groups[1].Value)
            .ToArray();
        Assert.Equal(new[] { "restart (SIGKILL)", "flushall", "restart (SIGTERM)", "promotion", "restart (SIGKILL)" }, events);

        // Results were shared: each method has Redis hits, and the quotes were computed far fewer times than called.
        foreach (var method in new[] { "Quote", "Series", "Sectors", "Note" })
        {
            var row = Regex.Match(result.Output, $@"^\| {method} \| ([0-9,]+) \| ([0-9,]+) \|", RegexOptions.Multiline);
            Assert.True(row.Success, $"no row for {method} in the report");
            Assert.True(long.Parse(row.Groups[2].Value.Replace(",", string.Empty, StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture) > 0, $"{method} had no Redis hit");
        }
    }

    [SkippableFact]
    public void A_wrong_result_is_reported_and_fails_the_run()
    {
        RequireRedisServer();
        var result = Run("--minutes", "0.25", "--processes", "1", "--threads", "1", "--keys", "4", "--restart-every", "60", "--sabotage");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Result: **FAILED**", result.Output, StringComparison.Ordinal);
        var wrong = Regex.Match(result.Output, @"^\| wrong results \| ([0-9]+) \|", RegexOptions.Multiline);
        Assert.True(wrong.Success && int.Parse(wrong.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) > 0, result.Output);
        Assert.Contains("Quote(0) returned Id=1 ", result.Output, StringComparison.Ordinal);
    }

    private static void RequireRedisServer()
    {
        if (RedisTestServer.FindRedisServer() is null)
        {
            Assert.False(RedisTestServer.RequireRealRedis, "CI is set, which requires redis-server (and its --sentinel mode)");
            Skip.If(true, "the soak run needs redis-server and its --sentinel mode; it is not on PATH");
        }
    }

    private ProcessRunner.Result Run(params string[] arguments)
    {
        var result = ProcessRunner.Run("dotnet", new[] { Soak }.Concat(arguments), ProcessRunner.RepositoryRoot(), timeout: TimeSpan.FromMinutes(3));
        _output.WriteLine(result.Output);
        _output.WriteLine(result.Error);
        return result;
    }
}
