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

    // What each task's code calls, by helper (samples/MarketPipeline/PipelinePlan.cs): per symbol the
    // history once for its days, once per daily row and once for its summary; per row the industry and
    // the sector ranking; the concept boards once.
    private const int SymbolsPerTask = 3;
    private const int ReportDays = 5;
    private static readonly Dictionary<string, int> CallsPerTaskByHelper = new()
    {
        ["HistoryAsync"] = SymbolsPerTask * (ReportDays + 2),
        ["IndustryOf"] = SymbolsPerTask * ReportDays,
        ["SectorFundFlowCodes"] = SymbolsPerTask * ReportDays,
        ["ConceptCodes"] = 1,
    };

    private static readonly int CallsPerTask = CallsPerTaskByHelper.Values.Sum();

    // The tasks report on watchlist symbols 1-3, 2-4 and 3-5: five symbols, so five histories and five
    // industries, and the two lists.
    private static readonly Dictionary<string, int> DistinctArgumentSetsByHelper = new()
    {
        ["HistoryAsync"] = 5,
        ["IndustryOf"] = 5,
        ["SectorFundFlowCodes"] = 1,
        ["ConceptCodes"] = 1,
    };

    private readonly BuiltSample _sample;
    private readonly RedisTestServer _server = RedisTestServer.Start();

    public MarketPipelineTests(BuiltSample sample, Xunit.Abstractions.ITestOutputHelper output)
    {
        _sample = sample;
        output.WriteLine($"server: {_server}");
    }

    public void Dispose() => _server.Dispose();

    [Fact]
    public void Tasks_started_together_call_the_API_once_per_distinct_argument_set_and_answer_repeated_calls_locally()
    {
        var timeline = Path.Combine(Path.GetTempPath(), "akcache-timeline-" + Guid.NewGuid().ToString("N") + ".svg");
        var run = ProcessRunner.Run(
            "dotnet",
            new[] { _sample.Dll, "--tasks", Tasks.ToString(CultureInfo.InvariantCulture), "--timeline", timeline },
            _sample.Directory,
            new Dictionary<string, string?> { ["AKCACHE_REDIS_URL"] = _server.Url },
            TimeSpan.FromMinutes(2));

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.DoesNotContain("FAILED", run.Output);
        var distinct = DistinctArgumentSetsByHelper.Values.Sum();

        // Progress: every task's start and end, in both runs, before the tables.
        foreach (var task in Enumerable.Range(1, Tasks))
        {
            Assert.Equal(2, Regex.Matches(run.Output, $@"(?m)^  task {task} started \(pid \d+").Count);
            Assert.Equal(2, Regex.Matches(run.Output, $@"(?m)^  task {task} done in [\d.]+ s: {CallsPerTask} calls").Count);
        }

        // Per task: every call answered one way (L1, Redis, a wait, a computation), and without the cache every call computed.
        var rows = TaskRows(run.Output);
        Assert.Equal(Enumerable.Range(1, Tasks), rows.Keys.Order());
        Assert.All(rows.Values, row =>
        {
            Assert.Equal(CallsPerTask, row.Calls);
            Assert.Equal(row.Calls, row.FromL1 + row.FromRedis + row.Waited + row.Computed);
            Assert.Equal(CallsPerTask, row.ComputedWithoutCache);
        });
        Assert.Equal(distinct, rows.Values.Sum(row => row.Computed));
        Assert.True(rows.Values.Sum(row => row.FromL1) > 0, "no call was answered by a task's local layer:\n" + run.Output);

        // Per helper, over all tasks: computations equal the API's own count of requests, one per distinct argument set.
        var helpers = HelperRows(run.Output);
        Assert.Equal(CallsPerTaskByHelper.Keys.Order(), helpers.Keys.Order());
        foreach (var (helper, row) in helpers)
        {
            Assert.Equal(Tasks * CallsPerTaskByHelper[helper], row.Calls);
            Assert.Equal(row.Calls, row.FromL1 + row.FromRedis + row.Waited + row.Computed);
            Assert.Equal(DistinctArgumentSetsByHelper[helper], row.Computed);
            Assert.Equal(row.Computed, row.ApiRequests);
        }

        var withCache = Regex.Match(run.Output, @"^API requests with AkCache: +(\d+) = (\d+) distinct argument sets", RegexOptions.Multiline);
        Assert.True(withCache.Success, run.ToString());
        Assert.Equal(distinct, Number(withCache.Groups[2]));
        Assert.Equal(distinct, Number(withCache.Groups[1]));
        Assert.Matches($@"(?m)^API requests without cache: +{Tasks * CallsPerTask} = {Tasks} tasks x {CallsPerTask} calls", run.Output);
        Assert.Matches($@"(?m)^Results: +{2 * Tasks} of {2 * Tasks} task reports equal the ones computed directly from the API", run.Output);

        // The timeline: every call a bar, by how it was answered; the run with AkCache is drawn twice
        // (on the shared axis, then on its own), the one without once.
        try
        {
            Assert.Contains("Timeline of every task's calls: " + timeline, run.Output);
            var svg = System.Xml.Linq.XDocument.Load(timeline);
            var titles = svg.Descendants().Where(e => e.Name.LocalName == "title").Select(e => e.Value).ToList();
            Assert.Equal(3 * Tasks * CallsPerTask, titles.Count);
            Assert.Equal(2 * distinct, titles.Count(t => t.StartsWith("computed:", StringComparison.Ordinal)));
            Assert.Equal(Tasks * CallsPerTask, titles.Count(t => t.StartsWith("direct:", StringComparison.Ordinal)));
            Assert.Equal(2 * rows.Values.Sum(row => row.FromL1), titles.Count(t => t.StartsWith("local:", StringComparison.Ordinal)));
        }
        finally
        {
            File.Delete(timeline);
        }
    }

    /// <summary>The table's task lines: "   2  000858 601318 600036   3.62 s     52       42           7       3         0     21.36 s        52".</summary>
    private static Dictionary<int, TaskRow> TaskRows(string output) =>
        Regex.Matches(output, @"^ *(\d+)  (?:\d{6} ){2}\d{6} +[\d.]+ s +(\d+) +(\d+) +(\d+) +(\d+) +(\d+) +[\d.]+ s +(\d+)\s*$", RegexOptions.Multiline)
            .ToDictionary(m => Number(m.Groups[1]), m => new TaskRow(Number(m.Groups[2]), Number(m.Groups[3]), Number(m.Groups[4]), Number(m.Groups[5]), Number(m.Groups[6]), Number(m.Groups[7])));

    /// <summary>The lines of the table by helper: "  HistoryAsync            168      136          24       2         6             6".</summary>
    private static Dictionary<string, HelperRow> HelperRows(string output) =>
        Regex.Matches(output, @"^  (HistoryAsync|IndustryOf|SectorFundFlowCodes|ConceptCodes) +(\d+) +(\d+) +(\d+) +(\d+) +(\d+) +(\d+)\s*$", RegexOptions.Multiline)
            .ToDictionary(m => m.Groups[1].Value, m => new HelperRow(Number(m.Groups[2]), Number(m.Groups[3]), Number(m.Groups[4]), Number(m.Groups[5]), Number(m.Groups[6]), Number(m.Groups[7])));

    private static int Number(Group group) => int.Parse(group.Value, CultureInfo.InvariantCulture);

    private sealed record TaskRow(int Calls, int FromL1, int FromRedis, int Waited, int Computed, int ComputedWithoutCache);

    private sealed record HelperRow(int Calls, int FromL1, int FromRedis, int Waited, int Computed, int ApiRequests);

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
