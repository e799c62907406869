using System;
using System.Collections.Generic;
using System.Linq;

namespace MarketPipeline;

/// <summary>
/// The data behind <see cref="SimulatedMarketApi"/>, made up but stable: the same request always
/// gets the same answer. The runner also reads it directly, without HTTP or cache, to check what
/// the tasks computed from the answers AkCache gave them.
/// </summary>
internal static class SimulatedMarketData
{
    /// <summary>Industry boards, ranked by today's net fund inflow.</summary>
    public static readonly IReadOnlyList<string> IndustrySectors = new[] { "BK0475", "BK0438", "BK1036", "BK0481", "BK0727", "BK1029" };

    public static readonly IReadOnlyList<string> ConceptBoards = new[] { "BK0815", "BK0493", "BK1173", "BK0989", "BK1090" };

    /// <summary>The industry board a symbol belongs to (one of <see cref="IndustrySectors"/>).</summary>
    public static string IndustryOf(string symbol) => IndustrySectors[Seed(symbol) % IndustrySectors.Count];

    /// <summary>Daily closes of <paramref name="symbol"/> over <paramref name="days"/> consecutive days.</summary>
    public static Bar[] History(string symbol, int days)
    {
        var seed = Seed(symbol);
        var start = new DateTime(2026, 1, 5, 0, 0, 0, DateTimeKind.Utc);
        return Enumerable.Range(0, days)
            .Select(i => new Bar(start.AddDays(i), 10m + ((seed % 90) + (((seed >> 3) + (i * 7)) % 13)) / 4m))
            .ToArray();
    }

    private static int Seed(string symbol) => symbol.Aggregate(17, (hash, c) => unchecked((hash * 31) + c)) & int.MaxValue;
}
