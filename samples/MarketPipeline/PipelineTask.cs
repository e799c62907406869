using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Tasks;

namespace MarketPipeline;

/// <summary>One task of the pipeline, in its own process, as an Airflow worker runs it.</summary>
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
        var sectors = AkShare.SectorFundFlowCodes(PipelinePlan.SectorType);
        var concepts = AkShare.ConceptCodes();
        var histories = new List<Bar[]>();
        foreach (var symbol in PipelinePlan.SymbolsFor(task))
        {
            histories.Add(await AkShare.HistoryAsync(symbol, PipelinePlan.HistoryDays));
        }

        clock.Stop();
        var summary = new TaskSummary(task, clock.ElapsedMilliseconds, PipelinePlan.CallsPerTask, AkShare.Computed, Digest(sectors, concepts, histories));
        Console.WriteLine(summary.ToLine());
        return 0;
    }

    /// <summary>A short hash of everything the task fetched: the runner checks that the cache changed no result.</summary>
    private static string Digest(List<string> sectors, List<string> concepts, List<Bar[]> histories)
    {
        var text = new StringBuilder();
        text.AppendJoin(',', sectors).Append('|').AppendJoin(',', concepts);
        foreach (var bar in histories.SelectMany(h => h))
        {
            text.Append('|').Append(bar.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Append('=').Append(bar.Close.ToString(CultureInfo.InvariantCulture));
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..12];
    }
}

/// <summary>The one line a task prints when it is done; the runner parses it.</summary>
internal sealed record TaskSummary(int Task, long ElapsedMilliseconds, int Calls, int Computed, string Digest)
{
    private const string Tag = "task-summary";

    public int Hits => Calls - Computed;

    public string ToLine() => string.Create(CultureInfo.InvariantCulture, $"{Tag} task={Task} elapsed-ms={ElapsedMilliseconds} calls={Calls} computed={Computed} digest={Digest}");

    public static TaskSummary? TryParse(string line)
    {
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 6 || parts[0] != Tag)
        {
            return null;
        }

        var fields = parts.Skip(1).Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        return new TaskSummary(
            int.Parse(fields["task"], CultureInfo.InvariantCulture),
            long.Parse(fields["elapsed-ms"], CultureInfo.InvariantCulture),
            int.Parse(fields["calls"], CultureInfo.InvariantCulture),
            int.Parse(fields["computed"], CultureInfo.InvariantCulture),
            fields["digest"]);
    }
}
