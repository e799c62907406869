using System.Collections.Generic;
using System.Linq;

namespace MarketPipeline;

/// <summary>
/// What each task of the pipeline works on: three symbols of a shared watchlist, shifted by one per
/// task so that neighbouring tasks overlap, reported over their last few days; and how many calls of
/// each helper the task code in <see cref="PipelineTask"/> makes for that.
/// </summary>
internal static class PipelinePlan
{
    public const string SectorType = "industry";
    public const int HistoryDays = 60;
    public const int ReportDays = 5;
    public const int SymbolsPerTask = 3;

    /// <summary>The helpers, in the order the report lists them.</summary>
    public static readonly IReadOnlyList<string> Helpers = new[]
    {
        nameof(AkShare.HistoryAsync), nameof(AkShare.IndustryOf), nameof(AkShare.SectorFundFlowCodes), nameof(AkShare.ConceptCodes),
    };

    private static readonly string[] Watchlist = { "600519", "000858", "601318", "600036", "000333", "300750" };

    /// <summary>
    /// The calls one task makes, by helper. Per symbol, the history once for its days, once per
    /// daily row and once more for the summary; per daily row, the symbol's industry and the sector
    /// ranking; the concept boards once, when the report is written.
    /// </summary>
    public static IReadOnlyDictionary<string, int> CallsPerTaskByHelper { get; } = new Dictionary<string, int>
    {
        [nameof(AkShare.HistoryAsync)] = SymbolsPerTask * (1 + ReportDays + 1),
        [nameof(AkShare.IndustryOf)] = SymbolsPerTask * ReportDays,
        [nameof(AkShare.SectorFundFlowCodes)] = SymbolsPerTask * ReportDays,
        [nameof(AkShare.ConceptCodes)] = 1,
    };

    public static int CallsPerTask => CallsPerTaskByHelper.Values.Sum();

    /// <param name="task">1 to the number of tasks.</param>
    public static IReadOnlyList<string> SymbolsFor(int task) =>
        Enumerable.Range(task - 1, SymbolsPerTask).Select(i => Watchlist[i % Watchlist.Length]).ToList();

    public static IReadOnlyList<string> DistinctSymbols(int tasks) => Enumerable.Range(1, tasks).SelectMany(SymbolsFor).Distinct().ToList();

    /// <summary>Every argument set the tasks call a helper with, once, by helper: the API calls a shared cache should make.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> DistinctArgumentSets(int tasks)
    {
        var symbols = DistinctSymbols(tasks);
        return new Dictionary<string, IReadOnlyList<string>>
        {
            [nameof(AkShare.HistoryAsync)] = symbols.Select(s => $"HistoryAsync(\"{s}\", {HistoryDays})").ToList(),
            [nameof(AkShare.IndustryOf)] = symbols.Select(s => $"IndustryOf(\"{s}\")").ToList(),
            [nameof(AkShare.SectorFundFlowCodes)] = new[] { $"SectorFundFlowCodes(\"{SectorType}\")" },
            [nameof(AkShare.ConceptCodes)] = new[] { "ConceptCodes()" },
        };
    }
}
