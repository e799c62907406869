using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading.Tasks;
using AkCache;

namespace MarketPipeline;

/// <summary>
/// One task of the pipeline, in its own process, as an Airflow worker runs it: a daily report on a
/// few symbols. Its code calls the helpers where it needs their data, as task code does: in loops,
/// again in later steps, without passing results around to save calls. AkCache makes that cheap.
/// </summary>
internal static class PipelineTask
{
    public const string ReadyLine = "ready";

    public static async Task<int> RunAsync(int task, Uri api)
    {
        AkShare.UseApi(api);

        // The runner starts every task's clock at once: process start-up is not what the demo measures.
        Console.WriteLine(ReadyLine);
        Console.In.ReadLine();

        var clock = Stopwatch.StartNew();
        var timeline = new TimelineRecorder(clock);
        var report = await BuildReportAsync(PipelinePlan.SymbolsFor(task), new Helpers(timeline));
        clock.Stop();
        Console.WriteLine(new TaskSummary(task, clock.ElapsedMilliseconds, report.Digest(), HelperCounts.OfThisProcess(), timeline.Segments).ToLine());
        return 0;
    }

    private static async Task<TaskReport> BuildReportAsync(IReadOnlyList<string> symbols, Helpers helpers)
    {
        var rows = new List<DailyRow>();
        foreach (var symbol in symbols)
        {
            var days = (await helpers.HistoryAsync(symbol)).TakeLast(PipelinePlan.ReportDays).Select(bar => bar.Day);
            foreach (var day in days)
            {
                rows.Add(await DailyRowAsync(symbol, day, helpers));
            }
        }

        var summaries = new List<SymbolSummary>();
        foreach (var symbol in symbols)
        {
            var history = await helpers.HistoryAsync(symbol);
            summaries.Add(TaskReport.Summarize(symbol, history, rows));
        }

        return new TaskReport(rows, summaries, helpers.ConceptCodes());
    }

    private static async Task<DailyRow> DailyRowAsync(string symbol, DateTime day, Helpers helpers)
    {
        var history = await helpers.HistoryAsync(symbol);
        var industry = helpers.IndustryOf(symbol);
        var ranking = helpers.SectorFundFlowCodes(PipelinePlan.SectorType);
        return TaskReport.Row(symbol, day, history, industry, ranking);
    }

    /// <summary>
    /// The task's calls of the helpers, each timed and classified for the demo's timeline, and
    /// reported as a progress line ("progress N") for the runner; the calls themselves are the
    /// memoized helpers', unchanged.
    /// </summary>
    private sealed class Helpers
    {
        private readonly TimelineRecorder _timeline;
        private int _calls;

        public Helpers(TimelineRecorder timeline) => _timeline = timeline;

        public Task<Bar[]> HistoryAsync(string symbol) =>
            Progress(_timeline.RecordAsync(() => AkCacheRuntime.GetCacheInfo(() => AkShare.HistoryAsync("", 0)), () => AkShare.HistoryAsync(symbol, PipelinePlan.HistoryDays)));

        public string IndustryOf(string symbol) =>
            Progress(_timeline.Record(() => AkCacheRuntime.GetCacheInfo(() => AkShare.IndustryOf("")), () => AkShare.IndustryOf(symbol)));

        public List<string> SectorFundFlowCodes(string sectorType) =>
            Progress(_timeline.Record(() => AkCacheRuntime.GetCacheInfo(() => AkShare.SectorFundFlowCodes("")), () => AkShare.SectorFundFlowCodes(sectorType)));

        public List<string> ConceptCodes() =>
            Progress(_timeline.Record(() => AkCacheRuntime.GetCacheInfo(() => AkShare.ConceptCodes()), AkShare.ConceptCodes));

        private T Progress<T>(T result)
        {
            Console.WriteLine(ProgressLine + (++_calls).ToString(System.Globalization.CultureInfo.InvariantCulture));
            return result;
        }

        private async Task<T> Progress<T>(Task<T> call)
        {
            var result = await call;
            return Progress(result);
        }
    }

    public const string ProgressLine = "progress ";
}

/// <summary>What one helper did in one task process: AkCache's statistics, and the helper's own count of its body's runs.</summary>
internal sealed record HelperCounts(long LocalHits, long RedisHits, long FallbackHits, long Misses, long Computations, long Waits, long Errors, int LocalEntries, long LocalBytes, int BodyRuns)
{
    /// <summary>Every call is answered exactly one way, when the calls of a process do not overlap (as a task's do not).</summary>
    public long Answered => LocalHits + RedisHits + FallbackHits + Waits + Computations;

    /// <summary>Each helper's <see cref="AkCacheRuntime.GetCacheInfo{T}"/> in this process; the arguments in the lambdas are ignored.</summary>
    public static IReadOnlyDictionary<string, HelperCounts> OfThisProcess()
    {
        var runs = AkShare.BodyRuns;
        return new Dictionary<string, HelperCounts>
        {
            [nameof(AkShare.HistoryAsync)] = From(AkCacheRuntime.GetCacheInfo(() => AkShare.HistoryAsync("", 0)), runs, nameof(AkShare.HistoryAsync)),
            [nameof(AkShare.IndustryOf)] = From(AkCacheRuntime.GetCacheInfo(() => AkShare.IndustryOf("")), runs, nameof(AkShare.IndustryOf)),
            [nameof(AkShare.SectorFundFlowCodes)] = From(AkCacheRuntime.GetCacheInfo(() => AkShare.SectorFundFlowCodes("")), runs, nameof(AkShare.SectorFundFlowCodes)),
            [nameof(AkShare.ConceptCodes)] = From(AkCacheRuntime.GetCacheInfo(() => AkShare.ConceptCodes()), runs, nameof(AkShare.ConceptCodes)),
        };
    }

    private static HelperCounts From(CacheInfo info, IReadOnlyDictionary<string, int> runs, string helper) =>
        new(info.LocalHits, info.RedisHits, info.FallbackHits, info.Misses, info.Computations, info.WaitsForOtherProcesses, info.Errors, info.LocalEntries, info.LocalBytes, runs.GetValueOrDefault(helper));
}
