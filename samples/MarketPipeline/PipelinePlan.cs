using System.Collections.Generic;
using System.Linq;

namespace MarketPipeline;

/// <summary>
/// What each task of the pipeline fetches: the same two lists, then the history of three symbols of
/// a shared watchlist, shifted by one per task so that neighbouring tasks overlap.
/// </summary>
internal static class PipelinePlan
{
    public const string SectorType = "industry";
    public const int HistoryDays = 60;
    public const int SymbolsPerTask = 3;
    public const int CallsPerTask = 2 + SymbolsPerTask;

    private static readonly string[] Watchlist = { "600519", "000858", "601318", "600036", "000333", "300750" };

    /// <param name="task">1 to the number of tasks.</param>
    public static IReadOnlyList<string> SymbolsFor(int task) =>
        Enumerable.Range(task - 1, SymbolsPerTask).Select(i => Watchlist[i % Watchlist.Length]).ToList();

    /// <summary>Every argument set the tasks call with, once: the API calls a shared cache should make.</summary>
    public static IReadOnlyList<string> DistinctArgumentSets(int tasks) =>
        new[] { $"SectorFundFlowCodes(\"{SectorType}\")", "ConceptCodes()" }
            .Concat(Enumerable.Range(1, tasks).SelectMany(SymbolsFor).Distinct().Select(s => $"HistoryAsync(\"{s}\", {HistoryDays})"))
            .ToList();

    public static int DistinctSymbols(int tasks) => Enumerable.Range(1, tasks).SelectMany(SymbolsFor).Distinct().Count();
}
