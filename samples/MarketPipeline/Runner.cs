using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading.Tasks;

namespace MarketPipeline;

/// <summary>
/// Starts the pipeline's task processes together, once with AkCache and once without it, against the
/// same slow API, and prints what each run cost.
/// </summary>
internal static class Runner
{
    private static readonly TimeSpan TaskTimeout = TimeSpan.FromSeconds(90);

    public static async Task<int> RunAsync(int tasks, bool baseline)
    {
        using var redis = RedisServer.FromEnvironmentOrEmbedded();
        using var api = new SimulatedMarketApi();
        Console.WriteLine($"AkCache demo: an Airflow-like pipeline of {tasks} task processes that call the same akshare-like helpers.");
        Console.WriteLine($"  Redis            {redis.Description}");
        Console.WriteLine($"  market-data API  {api.Url}: {SimulatedMarketApi.Latency.TotalMilliseconds:F0} ms a request, {SimulatedMarketApi.ConcurrentRequests} at a time (the rest queue)");
        Console.WriteLine($"  each task calls  SectorFundFlowCodes(\"{PipelinePlan.SectorType}\"), ConceptCodes(), HistoryAsync(symbol, {PipelinePlan.HistoryDays}) for {PipelinePlan.SymbolsPerTask} symbols");
        Console.WriteLine();

        // A prefix of its own makes every run start with a cold cache, even against a long-lived Redis.
        var cachedEnvironment = new Dictionary<string, string>
        {
            ["AKCACHE_REDIS_URL"] = redis.Url,
            ["AKCACHE_PREFIX"] = "marketpipeline-" + Guid.NewGuid().ToString("N")[..8],
            ["AKCACHE_DISABLED"] = "0",
        };
        var cached = await RunBatchAsync("with AkCache", tasks, api, cachedEnvironment);
        var uncached = baseline
            ? await RunBatchAsync("without the cache (AKCACHE_DISABLED=1)", tasks, api, new Dictionary<string, string> { ["AKCACHE_DISABLED"] = "1" })
            : null;
        Console.WriteLine();

        var report = new Report(tasks, cached, uncached);
        report.Print();
        return report.Succeeded ? 0 : 1;
    }

    private static async Task<Batch> RunBatchAsync(string name, int tasks, SimulatedMarketApi api, IReadOnlyDictionary<string, string> environment)
    {
        Console.Write($"Running the {tasks} tasks {name} ...");
        api.ResetCounts();
        var processes = Enumerable.Range(1, tasks).Select(task => TaskProcess.Start(task, api.Url, environment)).ToList();
        try
        {
            try
            {
                await Task.WhenAll(processes.Select(p => p.Ready)).WaitAsync(TaskTimeout);
            }
            catch (Exception e) when (processes.FirstOrDefault(p => p.Ready.IsFaulted) is { } failed)
            {
                await failed.ExitAsync();
                throw new InvalidOperationException($"Task {failed.Task} exited with code {failed.ExitCode} before it started:\n{string.Join("\n", failed.Errors)}", e);
            }

            var startedAt = Stopwatch.GetTimestamp();
            foreach (var process in processes)
            {
                process.Go();
            }

            await Task.WhenAll(processes.Select(p => p.ExitAsync())).WaitAsync(TaskTimeout);
            var finishedAt = processes.Max(p => p.Summary is null ? Stopwatch.GetTimestamp() : p.FinishedAt);
            var batch = new Batch(
                name,
                processes.Select(p => new TaskResult(p.Task, p.Summary, p.ExitCode, p.Errors.ToList())).ToList(),
                Stopwatch.GetElapsedTime(startedAt, finishedAt),
                api.CallsByRequest);
            Console.WriteLine($" {Report.Seconds(batch.WallTime)}");
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
}

internal sealed record TaskResult(int Task, TaskSummary? Summary, int? ExitCode, IReadOnlyList<string> Errors);

internal sealed record Batch(string Name, IReadOnlyList<TaskResult> Tasks, TimeSpan WallTime, IReadOnlyDictionary<string, int> ApiCallsByRequest)
{
    public int ApiCalls => ApiCallsByRequest.Values.Sum();
}

/// <summary>The table, the totals, and whether the cache did its job.</summary>
internal sealed class Report
{
    private readonly int _tasks;
    private readonly Batch _cached;
    private readonly Batch? _uncached;
    private readonly IReadOnlyList<string> _distinct;

    public Report(int tasks, Batch cached, Batch? uncached)
    {
        _tasks = tasks;
        _cached = cached;
        _uncached = uncached;
        _distinct = PipelinePlan.DistinctArgumentSets(tasks);
    }

    public bool Succeeded => Problems().Count == 0;

    public static string Seconds(TimeSpan time) => string.Create(CultureInfo.InvariantCulture, $"{time.TotalSeconds:F2} s");

    public void Print()
    {
        Console.WriteLine($"{string.Empty,30}{"with AkCache",-34}{"without cache",13}");
        Console.WriteLine(Row("task", "history of", "time", "from cache", "computed", "time"));
        foreach (var task in _cached.Tasks)
        {
            var without = _uncached?.Tasks.Single(t => t.Task == task.Task);
            Console.WriteLine(Row(
                Number(task.Task),
                string.Join(' ', PipelinePlan.SymbolsFor(task.Task)),
                Time(task.Summary),
                task.Summary is null ? "-" : Number(task.Summary.Hits),
                task.Summary is null ? "-" : Number(task.Summary.Computed),
                without is null ? "-" : Time(without.Summary)));
        }

        Console.WriteLine(Row(
            "all",
            "(wall time, sums)",
            Seconds(_cached.WallTime),
            Number(_cached.Tasks.Sum(t => t.Summary?.Hits ?? 0)),
            Number(_cached.Tasks.Sum(t => t.Summary?.Computed ?? 0)),
            _uncached is null ? "-" : Seconds(_uncached.WallTime)));
        Console.WriteLine();

        var distinct = $"{_distinct.Count} distinct argument sets (2 lists, {PipelinePlan.DistinctSymbols(_tasks)} histories)";
        Console.WriteLine(_cached.ApiCalls == _distinct.Count
            ? $"API calls with AkCache:  {_cached.ApiCalls,3} = {distinct}: each one fetched once"
            : $"API calls with AkCache:  {_cached.ApiCalls,3}, but there are {distinct}");
        if (_uncached is null)
        {
            Console.WriteLine("API calls without cache:   - (skipped: --no-baseline)");
        }
        else
        {
            Console.WriteLine($"API calls without cache: {_uncached.ApiCalls,3} = {_tasks} tasks x {PipelinePlan.CallsPerTask} calls");
            var speedup = _uncached.WallTime.TotalSeconds / Math.Max(_cached.WallTime.TotalSeconds, 0.001);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Wall time:               {Seconds(_cached.WallTime)} with AkCache, {Seconds(_uncached.WallTime)} without ({speedup:F1}x faster)"));
        }

        Console.WriteLine();
        Console.WriteLine("On a miss one task takes a Redis lock and calls the API; tasks that need the same result wait and are");
        Console.WriteLine("woken when it is stored (\"from cache\" counts both). So each argument set reaches the API once in all.");

        foreach (var batch in new[] { _cached, _uncached }.OfType<Batch>())
        {
            foreach (var task in batch.Tasks.Where(t => t.Errors.Count > 0))
            {
                Console.WriteLine();
                Console.WriteLine($"Task {task.Task}, run {batch.Name}, wrote to standard error:");
                foreach (var line in task.Errors)
                {
                    Console.WriteLine("  " + line);
                }
            }
        }

        var problems = Problems();
        if (problems.Count > 0)
        {
            Console.WriteLine();
            foreach (var problem in problems)
            {
                Console.WriteLine("FAILED: " + problem);
            }
        }
    }

    private static string Row(string task, string symbols, string time, string hits, string computed, string without) =>
        $"{task,4}  {symbols,-22}  {time,8}  {hits,12}  {computed,8}  {without,13}";

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Time(TaskSummary? summary) =>
        summary is null ? "failed" : Seconds(TimeSpan.FromMilliseconds(summary.ElapsedMilliseconds));

    private List<string> Problems()
    {
        var problems = new List<string>();
        foreach (var batch in new[] { _cached, _uncached }.OfType<Batch>())
        {
            foreach (var task in batch.Tasks.Where(t => t.Summary is null || t.ExitCode != 0))
            {
                var exit = task.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "none";
                problems.Add($"task {task.Task}, run {batch.Name}, exited with code {exit}{(task.Summary is null ? " without its summary line" : string.Empty)}");
            }
        }

        if (_cached.ApiCalls != _distinct.Count)
        {
            problems.Add($"{_cached.ApiCalls} API calls with AkCache, expected {_distinct.Count}, one per distinct argument set: {string.Join(", ", _distinct)}");
        }

        foreach (var (request, calls) in _cached.ApiCallsByRequest.Where(c => c.Value > 1))
        {
            problems.Add($"GET {request} was called {calls} times with AkCache");
        }

        if (_uncached is not null)
        {
            foreach (var task in _cached.Tasks)
            {
                var without = _uncached.Tasks.Single(t => t.Task == task.Task);
                if (task.Summary is not null && without.Summary is not null && task.Summary.Digest != without.Summary.Digest)
                {
                    problems.Add($"task {task.Task} got different data with AkCache ({task.Summary.Digest}) than without ({without.Summary.Digest})");
                }
            }
        }

        return problems;
    }
}
