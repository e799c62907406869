using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace MarketPipeline;

/// <summary>The tables, the totals, and whether the cache did its job and changed no result.</summary>
internal sealed class Report
{
    private readonly int _tasks;
    private readonly Batch _cached;
    private readonly Batch? _uncached;
    private readonly IReadOnlyDictionary<string, IReadOnlyList<string>> _distinct;
    private readonly int _distinctCount;

    public Report(int tasks, Batch cached, Batch? uncached)
    {
        _tasks = tasks;
        _cached = cached;
        _uncached = uncached;
        _distinct = PipelinePlan.DistinctArgumentSets(tasks);
        _distinctCount = _distinct.Values.Sum(sets => sets.Count);
    }

    public bool Succeeded => Problems().Count == 0;

    public static string Seconds(TimeSpan time) => string.Create(CultureInfo.InvariantCulture, $"{time.TotalSeconds:F2} s");

    /// <summary>How one task's calls were answered, in one line.</summary>
    public static string Outcomes(TaskSummary summary)
    {
        var calls = PipelinePlan.CallsPerTask;
        if (summary.LocalHits + summary.RedisHits + summary.Waits + summary.Computations == 0)
        {
            return $"{calls} calls, every one ran its helper's body ({summary.BodyRuns} API requests)";
        }

        var line = $"{calls} calls: {summary.LocalHits} from L1, {summary.RedisHits} from Redis, {summary.Waits} waited for another task, {summary.Computations} computed";
        return summary.FallbackHits + summary.Errors == 0 ? line : line + $" ({summary.FallbackHits} from L1 while Redis was down, {summary.Errors} Redis errors)";
    }

    public void Print()
    {
        PrintTasks();
        Console.WriteLine();
        PrintHelpers();
        Console.WriteLine();
        PrintTotals();
        PrintErrors();

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

    private void PrintTasks()
    {
        Console.WriteLine($"{string.Empty,28}{"with AkCache",-55}without cache");
        Console.WriteLine(TaskRow("task", "symbols", "time", "calls", "from L1", "from Redis", "waited", "computed", "time", "computed"));
        foreach (var task in _cached.Tasks)
        {
            var summary = task.Summary;
            var without = _uncached?.Tasks.Single(t => t.Task == task.Task).Summary;
            Console.WriteLine(TaskRow(
                Number(task.Task),
                string.Join(' ', PipelinePlan.SymbolsFor(task.Task)),
                Time(summary),
                Number(PipelinePlan.CallsPerTask),
                Count(summary, s => s.LocalHits),
                Count(summary, s => s.RedisHits),
                Count(summary, s => s.Waits),
                Count(summary, s => s.Computations),
                _uncached is null ? "-" : Time(without),
                _uncached is null ? "-" : Count(without, s => s.BodyRuns)));
        }

        Console.WriteLine(TaskRow(
            "all",
            "(wall time, sums)",
            Seconds(_cached.WallTime),
            Number(_tasks * PipelinePlan.CallsPerTask),
            Number(_cached.Sum(s => s.LocalHits)),
            Number(_cached.Sum(s => s.RedisHits)),
            Number(_cached.Sum(s => s.Waits)),
            Number(_cached.Sum(s => s.Computations)),
            _uncached is null ? "-" : Seconds(_uncached.WallTime),
            _uncached is null ? "-" : Number(_uncached.Sum(s => s.BodyRuns))));
    }

    private void PrintHelpers()
    {
        Console.WriteLine("with AkCache, by helper (all tasks)");
        Console.WriteLine(HelperRow("helper", "calls", "from L1", "from Redis", "waited", "computed", "API requests"));
        foreach (var helper in PipelinePlan.Helpers)
        {
            Console.WriteLine(HelperRow(
                helper,
                Number(_tasks * PipelinePlan.CallsPerTaskByHelper[helper]),
                Number(_cached.Sum(helper, h => h.LocalHits)),
                Number(_cached.Sum(helper, h => h.RedisHits)),
                Number(_cached.Sum(helper, h => h.Waits)),
                Number(_cached.Sum(helper, h => h.Computations)),
                Number(_cached.ApiCallsOf(helper))));
        }
    }

    private void PrintTotals()
    {
        var calls = _tasks * PipelinePlan.CallsPerTask;
        Console.WriteLine(_cached.ApiCalls == _distinctCount
            ? $"API requests with AkCache:  {_cached.ApiCalls,4} = {_distinctCount} distinct argument sets, each one fetched once"
            : $"API requests with AkCache:  {_cached.ApiCalls,4}, but there are {_distinctCount} distinct argument sets");
        Console.WriteLine(_uncached is null
            ? "API requests without cache:    - (skipped: --no-baseline)"
            : $"API requests without cache: {_uncached.ApiCalls,4} = {_tasks} tasks x {PipelinePlan.CallsPerTask} calls");

        var local = _cached.Sum(s => s.LocalHits);
        var redis = _cached.Sum(s => s.RedisHits);
        var waits = _cached.Sum(s => s.Waits);
        var computed = _cached.Sum(s => s.Computations);
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"Calls with AkCache:         {calls,4}: {local} ({Percent(local, calls)}) from the task's own L1, {redis} ({Percent(redis, calls)}) from Redis, {waits} waited for another task, {computed} computed"));
        if (_uncached is not null)
        {
            var speedup = _uncached.WallTime.TotalSeconds / Math.Max(_cached.WallTime.TotalSeconds, 0.001);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Wall time:                  {Seconds(_cached.WallTime)} with AkCache, {Seconds(_uncached.WallTime)} without ({speedup:F1}x faster)"));
        }

        var reports = Batches().Sum(b => b.Tasks.Count(t => t.Summary is not null && t.Summary.Digest == Expected(t.Task)));
        var all = Batches().Sum(b => b.Tasks.Count);
        Console.WriteLine($"Results:                    {reports} of {all} task reports equal the ones computed directly from the API's data");
        Console.WriteLine();
        Console.WriteLine("A task's first call of an argument set finds nothing in its own L1: it reads Redis or, if no task has");
        Console.WriteLine("stored the value yet, one task computes it under a Redis lock while the others that need it wait and are");
        Console.WriteLine("woken when it is stored. Later calls are answered by the task's L1 without a round trip, but for a few: a");
        Console.WriteLine("server with key tracking (redis-server 6 and later) tells every process of a write, the writer's too, and");
        Console.WriteLine("the next call confirms its copy with one read. So each argument set reaches the API once in all, however");
        Console.WriteLine("often the tasks call for it.");
    }

    /// <summary>A warning every task printed (Garnet's missing key tracking) is shown once, with the tasks that printed it.</summary>
    private void PrintErrors()
    {
        foreach (var batch in Batches())
        {
            var lines = batch.Tasks
                .SelectMany(t => t.Errors.Select(line => (t.Task, Line: line)))
                .GroupBy(e => e.Line, e => e.Task)
                .ToList();
            foreach (var group in lines)
            {
                Console.WriteLine();
                var who = group.Count() == batch.Tasks.Count ? "Every task" : "Task " + string.Join(", ", group.Distinct());
                Console.WriteLine($"{who} (run {batch.Name}) wrote to standard error:");
                Console.WriteLine("  " + group.Key);
            }
        }
    }

    private List<string> Problems()
    {
        var problems = new List<string>();
        foreach (var batch in Batches())
        {
            foreach (var task in batch.Tasks)
            {
                if (task.Summary is null || task.ExitCode != 0)
                {
                    var exit = task.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "none";
                    problems.Add($"task {task.Task}, run {batch.Name}, exited with code {exit}{(task.Summary is null ? " without its summary line" : string.Empty)}");
                }
                else if (task.Summary.Digest != Expected(task.Task))
                {
                    problems.Add($"task {task.Task}, run {batch.Name}, produced report {task.Summary.Digest}, but computed directly from the API's data it is {Expected(task.Task)}");
                }
            }
        }

        if (_cached.ApiCalls != _distinctCount)
        {
            problems.Add($"{_cached.ApiCalls} API requests with AkCache, expected {_distinctCount}, one per distinct argument set: {string.Join(", ", _distinct.Values.SelectMany(s => s))}");
        }

        foreach (var (request, calls) in _cached.ApiCallsByRequest.Where(c => c.Value > 1))
        {
            problems.Add($"GET {request} was called {calls} times with AkCache");
        }

        if (_cached.Sum(s => s.BodyRuns) != _cached.ApiCalls)
        {
            problems.Add($"with AkCache the helpers' bodies ran {_cached.Sum(s => s.BodyRuns)} times but the API counted {_cached.ApiCalls} requests");
        }

        foreach (var task in _cached.Tasks.Where(t => t.Summary is not null))
        {
            foreach (var helper in PipelinePlan.Helpers)
            {
                var counts = task.Summary!.Helpers.GetValueOrDefault(helper);
                var calls = PipelinePlan.CallsPerTaskByHelper[helper];
                if (counts is null || counts.Answered != calls)
                {
                    problems.Add($"task {task.Task}: AkCache's statistics of {helper} account for {counts?.Answered ?? 0} calls (hits, waits, computations), but the task made {calls}");
                }
                else if (counts.Computations != counts.BodyRuns)
                {
                    problems.Add($"task {task.Task}: AkCache counted {counts.Computations} computations of {helper}, but its body ran {counts.BodyRuns} times");
                }
            }
        }

        if (_uncached is not null)
        {
            var expected = _tasks * PipelinePlan.CallsPerTask;
            if (_uncached.ApiCalls != expected || _uncached.Sum(s => s.BodyRuns) != expected)
            {
                problems.Add($"without the cache every call should reach the API ({expected} requests), but the API counted {_uncached.ApiCalls} and the helpers' bodies ran {_uncached.Sum(s => s.BodyRuns)} times");
            }
        }

        return problems;
    }

    private IEnumerable<Batch> Batches() => new[] { _cached, _uncached }.OfType<Batch>();

    private static string Expected(int task) => TaskReport.Direct(PipelinePlan.SymbolsFor(task)).Digest();

    private static string TaskRow(string task, string symbols, string time, string calls, string local, string redis, string waited, string computed, string withoutTime, string withoutComputed) =>
        $"{task,4}  {symbols,-20}  {time,7}  {calls,5}  {local,7}  {redis,10}  {waited,6}  {computed,8}  {withoutTime,10}  {withoutComputed,8}";

    private static string HelperRow(string helper, string calls, string local, string redis, string waited, string computed, string requests) =>
        $"  {helper,-20}  {calls,5}  {local,7}  {redis,10}  {waited,6}  {computed,8}  {requests,12}";

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Count(TaskSummary? summary, Func<TaskSummary, long> count) => summary is null ? "-" : Number(count(summary));

    private static string Time(TaskSummary? summary) =>
        summary is null ? "failed" : Seconds(TimeSpan.FromMilliseconds(summary.ElapsedMilliseconds));

    private static string Percent(long part, long whole) =>
        string.Create(CultureInfo.InvariantCulture, $"{(whole == 0 ? 0 : 100.0 * part / whole):F0}%");
}
