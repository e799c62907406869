using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using AkCache.Tests.Infrastructure;
using AkCache.Tests.Support;
using Xunit;

namespace AkCache.Tests.Consumer;

/// <summary>
/// samples/MarketPipeline, the README's demo, run as a user runs it: its runner starts the task
/// processes together against a slow API that counts its calls, once with AkCache and once without.
/// </summary>
public sealed class MarketPipelineTests : IClassFixture<MarketPipelineTests.BuiltSample>, IDisposable
{
    private const int Tasks = 3;
    private const int CallsPerTask = 5;

    // Two lists, and the histories of watchlist symbols 1-3, 2-4 and 3-5: five symbols.
    private const int DistinctArgumentSets = 2 + 5;

    private readonly BuiltSample _sample;
    private readonly RedisTestServer _server = RedisTestServer.Start();

    public MarketPipelineTests(BuiltSample sample, Xunit.Abstractions.ITestOutputHelper output)
    {
        _sample = sample;
        output.WriteLine($"server: {_server}");
    }

    public void Dispose() => _server.Dispose();

    [Fact]
    public void Tasks_started_together_call_the_API_once_per_distinct_argument_set()
    {
        var run = ProcessRunner.Run(
            "dotnet",
            new[] { _sample.Dll, "--tasks", Tasks.ToString(CultureInfo.InvariantCulture) },
            _sample.Directory,
            new Dictionary<string, string?> { ["AKCACHE_REDIS_URL"] = _server.Url },
            TimeSpan.FromMinutes(2));

        Assert.True(run.ExitCode == 0, run.ToString());
        var rows = TaskRows(run.Output);
        Assert.Equal(Enumerable.Range(1, Tasks), rows.Keys.Order());
        Assert.All(rows.Values, row => Assert.Equal(CallsPerTask, row.FromCache + row.Computed));

        var withCache = Regex.Match(run.Output, @"^API calls with AkCache: +(\d+) = (\d+) distinct argument sets", RegexOptions.Multiline);
        Assert.True(withCache.Success, run.ToString());
        Assert.Equal(DistinctArgumentSets, Number(withCache.Groups[2]));
        Assert.Equal(DistinctArgumentSets, Number(withCache.Groups[1]));
        Assert.Equal(DistinctArgumentSets, rows.Values.Sum(row => row.Computed));
        Assert.Matches($@"(?m)^API calls without cache: +{Tasks * CallsPerTask} = ", run.Output);
        Assert.DoesNotContain("FAILED", run.Output);
    }

    /// <summary>The table's task lines: "   2  000858 601318 600036      1.52 s   4   1   2.40 s".</summary>
    private static Dictionary<int, (int FromCache, int Computed)> TaskRows(string output) =>
        Regex.Matches(output, @"^ *(\d+)  (?:\d{6} ){2}\d{6} +[\d.]+ s +(\d+) +(\d+) +[\d.]+ s\s*$", RegexOptions.Multiline)
            .ToDictionary(m => Number(m.Groups[1]), m => (Number(m.Groups[2]), Number(m.Groups[3])));

    private static int Number(Group group) => int.Parse(group.Value, CultureInfo.InvariantCulture);

    /// <summary>Builds samples/MarketPipeline once, in Release, with `dotnet build` as a user would.</summary>
    public sealed class BuiltSample
    {
        public BuiltSample()
        {
            var root = ProcessRunner.RepositoryRoot();
            var project = Path.Combine(root, "samples", "MarketPipeline", "MarketPipeline.csproj");
            var build = ProcessRunner.Run("dotnet", new[] { "build", project, "-c", "Release", "-nodeReuse:false", "--disable-build-servers" }, root, timeout: TimeSpan.FromMinutes(8));
            Assert.True(build.ExitCode == 0, build.ToString());
            Directory = Path.Combine(root, "samples", "MarketPipeline", "bin", "Release", "net10.0");
            Dll = Path.Combine(Directory, "MarketPipeline.dll");
        }

        public string Directory { get; }

        public string Dll { get; }
    }
}
