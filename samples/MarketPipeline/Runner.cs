using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace MarketPipeline;

/// <summary>
/// Starts the pipeline's task processes together, once with AkCache and once without it, against the
/// same slow API, shows them start and finish, and prints what each run cost and how each call was
/// answered.
/// </summary>
internal static class Runner
{
    private static readonly TimeSpan TaskTimeout = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(2);

    public static async Task<int> RunAsync(int tasks, bool baseline, string timeline)
    {
        Console.WriteLine($"AkCache demo: an Airflow-like pipeline of {tasks} task processes that call the same akshare-like helpers.");
        using var redis = RedisServer.FromEnvironmentOrStarted();
        using var api = new SimulatedMarketApi();
        var calls = string.Join(", ", PipelinePlan.Helpers.Select(h => $"{h} {PipelinePlan.CallsPerTaskByHelper[h]}"));
        Console.WriteLine($"  Redis            {redis.Description}");
        Console.WriteLine($"  market-data API  {api.Url}: {SimulatedMarketApi.Latency.TotalMilliseconds:F0} ms a request, {SimulatedMarketApi.ConcurrentRequests} at a time (the rest queue)");
        Console.WriteLine($"  each task        a daily report on {PipelinePlan.SymbolsPerTask} symbols over their last {PipelinePlan.ReportDays} days: {PipelinePlan.CallsPerTask} helper calls ({calls})");
        Console.WriteLine();

        // A prefix of its own makes every run start with a cold cache, even against a long-lived Redis.
        var cachedEnvironment = new Dictionary<string, string>
        {
            ["AKCACHE_REDIS_URL"] = redis.Url,
            ["AKCACHE_PREFIX"] = "marketpipeline-" + Guid.NewGuid().ToString("N")[..8],
            ["AKCACHE_DISABLED"] = "0",
        };
        var runs = baseline ? 2 : 1;
        var cached = await RunBatchAsync($"Run 1 of {runs}", "with AkCache", tasks, api, cachedEnvironment);
        var uncached = baseline
            ? await RunBatchAsync("Run 2 of 2", "without the cache (AKCACHE_DISABLED=1)", tasks, api, new Dictionary<string, string> { ["AKCACHE_DISABLED"] = "1" })
            : null;
        Console.WriteLine();

        var report = new Report(tasks, cached, uncached);
        report.Print();
        WriteTimeline(timeline, cached, uncached);
        return report.Succeeded ? 0 : 1;
    }

    /// <summary>The picture of both runs: each task's helper calls on one time axis (docs/images/demo-timeline.svg is one).</summary>
    private static void WriteTimeline(string path, Batch cached, Batch? uncached)
    {
        var runs = new List<(string, IReadOnlyList<TaskSummary>)> { ("with AkCache", Summaries(cached)) };
        if (uncached is not null)
        {
            runs.Add(("without the cache", Summaries(uncached)));
        }

        TimelineSvg.Write(path, runs);
        Console.WriteLine();
        Console.WriteLine($"Timeline of every task's calls: {path}");

        static IReadOnlyList<TaskSummary> Summaries(Batch batch) => batch.Tasks.Where(t => t.Summary is not null).Select(t => t.Summary!).ToList();
    }

    private static async Task<Batch> RunBatchAsync(string run, string name, int tasks, SimulatedMarketApi api, IReadOnlyDictionary<string, string> environment)
    {
        Console.WriteLine($"{run}: the {tasks} tasks {name}");
        api.ResetCounts();
        var launchedAt = Stopwatch.GetTimestamp();
        var processes = Enumerable.Range(1, tasks).Select(task => TaskProcess.Start(task, api.Url, environment)).ToList();
        try
        {
            await WaitUntilReadyAsync(processes, launchedAt);
            Console.WriteLine($"  all {tasks} started in {Report.Seconds(Stopwatch.GetElapsedTime(launchedAt))}; they begin their work now");

            var startedAt = Stopwatch.GetTimestamp();
            foreach (var process in processes)
            {
                process.Go();
            }

            await ReportAsTheyFinishAsync(processes, api, startedAt).WaitAsync(TaskTimeout);
            await Task.WhenAll(processes.Select(p => p.ExitAsync())).WaitAsync(TaskTimeout);
            var finishedAt = processes.Max(p => p.Summary is null ? Stopwatch.GetTimestamp() : p.FinishedAt);
            var batch = new Batch(
                name,
                processes.Select(p => new TaskResult(p.Task, p.Summary, p.ExitCode, p.Errors.ToList())).ToList(),
                Stopwatch.GetElapsedTime(startedAt, finishedAt),
                api.CallsByRequest);
            Console.WriteLine($"  all done in {Report.Seconds(batch.WallTime)}, {batch.ApiCalls} API requests");
            Console.WriteLine();
            return batch;
        }
        finally
        {
            foreach (var process in processes)
            {
                process.Dispose();
            }
        }
    }

    private static async Task WaitUntilReadyAsync(IReadOnlyList<TaskProcess> processes, long launchedAt)
    {
        var announced = processes.Select(async process =>
        {
            await process.Ready;
            Console.WriteLine($"  task {process.Task} started (pid {process.ProcessId}, {Report.Seconds(Stopwatch.GetElapsedTime(launchedAt))}): {string.Join(' ', PipelinePlan.SymbolsFor(process.Task))}");
        });
        try
        {
            await Task.WhenAll(announced).WaitAsync(TaskTimeout);
        }
        catch (Exception e) when (processes.FirstOrDefault(p => p.Ready.IsFaulted) is { } failed)
        {
            await failed.ExitAsync();
            throw new InvalidOperationException($"Task {failed.Task} exited with code {failed.ExitCode} before it started:\n{string.Join("\n", failed.Errors)}", e);
        }
    }

    /// <summary>A line per task as it ends, and one every few seconds while some still run.</summary>
    private static async Task ReportAsTheyFinishAsync(IReadOnlyList<TaskProcess> processes, SimulatedMarketApi api, long startedAt)
    {
        using var stop = new CancellationTokenSource();
        var done = 0;
        var ticker = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(ProgressInterval);
            while (await timer.WaitForNextTickAsync(stop.Token).ConfigureAwait(false))
            {
                var calls = string.Join(" ", processes.Select(p => $"{p.Task}:{p.CallsDone}"));
                Console.WriteLine($"  ... {Report.Seconds(Stopwatch.GetElapsedTime(startedAt))}: {Volatile.Read(ref done)} of {processes.Count} tasks done, {api.TotalCalls} API requests so far; calls made of {PipelinePlan.CallsPerTask}, by task: {calls}");
            }
        });

        try
        {
            await foreach (var finished in Task.WhenEach(processes.Select(p => p.Finished)))
            {
                Interlocked.Increment(ref done);
                var summary = await finished;
                var process = processes.First(p => p.Finished == finished);
                Console.WriteLine(summary is null
                    ? $"  task {process.Task} ended without its summary (exit code {process.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "not yet"})"
                    : $"  task {process.Task} done in {Report.Seconds(TimeSpan.FromMilliseconds(summary.ElapsedMilliseconds))}: {Report.Outcomes(summary)}");
            }
        }
        finally
        {
            await stop.CancelAsync();
            try
            {
                await ticker;
            }
            catch (OperationCanceledException)
            {
                // How the ticker stops.
            }
        }
    }
}

internal sealed record TaskResult(int Task, TaskSummary? Summary, int? ExitCode, IReadOnlyList<string> Errors);

internal sealed record Batch(string Name, IReadOnlyList<TaskResult> Tasks, TimeSpan WallTime, IReadOnlyDictionary<string, int> ApiCallsByRequest)
{
    public int ApiCalls => ApiCallsByRequest.Values.Sum();

    /// <summary>API requests by the helper that makes them (a request's path names its helper).</summary>
    public int ApiCallsOf(string helper) => ApiCallsByRequest.Where(c => HelperOf(c.Key) == helper).Sum(c => c.Value);

    public long Sum(Func<TaskSummary, long> count) => Tasks.Sum(t => t.Summary is null ? 0 : count(t.Summary));

    public long Sum(string helper, Func<HelperCounts, long> count) =>
        Tasks.Sum(t => t.Summary?.Helpers.TryGetValue(helper, out var counts) == true ? count(counts) : 0);

    private static string HelperOf(string request) => request.Split('?')[0] switch
    {
        "/history" => nameof(AkShare.HistoryAsync),
        "/industry" => nameof(AkShare.IndustryOf),
        "/sector-fund-flow" => nameof(AkShare.SectorFundFlowCodes),
        "/concepts" => nameof(AkShare.ConceptCodes),
        var other => other,
    };
}
