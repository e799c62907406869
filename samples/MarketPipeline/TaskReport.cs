using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography;
using System.Text;

namespace MarketPipeline;

internal sealed record DailyRow(string Symbol, DateTime Day, decimal Close, decimal Average5, string Industry, int IndustryRank);

internal sealed record SymbolSummary(string Symbol, decimal LastClose, decimal ChangeOverHistory, decimal BestClose, DateTime BestDay);

/// <summary>
/// What a task produces, and the arithmetic that makes it from the helpers' answers. The arithmetic
/// takes plain values, so that the runner can compute every task's report directly from the
/// simulated API's data, with no HTTP and no cache, and check the tasks' digests against it.
/// </summary>
internal sealed record TaskReport(IReadOnlyList<DailyRow> Rows, IReadOnlyList<SymbolSummary> Summaries, IReadOnlyList<string> ConceptBoards)
{
    /// <summary>The report computed directly from <see cref="SimulatedMarketData"/>: what a task must produce.</summary>
    public static TaskReport Direct(IReadOnlyList<string> symbols)
    {
        var rows = symbols
            .SelectMany(symbol =>
            {
                var history = SimulatedMarketData.History(symbol, PipelinePlan.HistoryDays);
                var industry = SimulatedMarketData.IndustryOf(symbol);
                return history.TakeLast(PipelinePlan.ReportDays).Select(bar => Row(symbol, bar.Day, history, industry, SimulatedMarketData.IndustrySectors));
            })
            .ToList();
        var summaries = symbols.Select(symbol => Summarize(symbol, SimulatedMarketData.History(symbol, PipelinePlan.HistoryDays), rows)).ToList();
        return new TaskReport(rows, summaries, SimulatedMarketData.ConceptBoards);
    }

    /// <summary>One symbol on one day: its close, its average over the five days to then, and where its industry ranks by fund inflow.</summary>
    public static DailyRow Row(string symbol, DateTime day, IReadOnlyList<Bar> history, string industry, IReadOnlyList<string> ranking)
    {
        var upToDay = history.Where(bar => bar.Day <= day).ToList();
        var lastFive = upToDay.TakeLast(5).ToList();
        var rank = ranking.ToList().IndexOf(industry) + 1;
        return new DailyRow(symbol, day, upToDay[^1].Close, Math.Round(lastFive.Average(bar => bar.Close), 4), industry, rank);
    }

    public static SymbolSummary Summarize(string symbol, IReadOnlyList<Bar> history, IReadOnlyList<DailyRow> rows)
    {
        var best = rows.Where(row => row.Symbol == symbol).MaxBy(row => row.Close)!;
        var change = Math.Round((history[^1].Close - history[0].Close) / history[0].Close, 6);
        return new SymbolSummary(symbol, history[^1].Close, change, best.Close, best.Day);
    }

    /// <summary>A short hash of the whole report (numbers written at fixed precision: 10.5 and 10.50 are the same close).</summary>
    public string Digest()
    {
        var text = new StringBuilder();
        foreach (var row in Rows)
        {
            text.Append(CultureInfo.InvariantCulture, $"{row.Symbol};{row.Day:yyyy-MM-dd};{row.Close:F4};{row.Average5:F4};{row.Industry};{row.IndustryRank}|");
        }

        foreach (var summary in Summaries)
        {
            text.Append(CultureInfo.InvariantCulture, $"{summary.Symbol};{summary.LastClose:F4};{summary.ChangeOverHistory:F6};{summary.BestClose:F4};{summary.BestDay:yyyy-MM-dd}|");
        }

        text.AppendJoin(',', ConceptBoards);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..12];
    }
}
