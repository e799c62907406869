using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace AkCache.Soak;

/// <summary>
/// The memoized helpers the workers call. Each result is a pure function of the arguments, so a
/// caller can tell a right answer from a wrong one (another key's value, a stale shape, a damaged
/// payload) by recomputing it with <see cref="Expected"/>; each computation is counted per key.
/// The mix covers the paths a fault can reach: the local layer and Redis (<see cref="Quote"/>),
/// Redis alone with an async method (<see cref="Series"/>, whose larger sizes are compressed and
/// a few go through the connection of large values), short lifetimes (<see cref="Sectors"/>) and
/// null results (<see cref="Note"/>).
/// </summary>
public static class Workload
{
    private static readonly ConcurrentDictionary<string, int> ComputationsByKey = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<long, int> ComputationsBySecond = new();

    /// <summary>Unix milliseconds at which the run started, for <see cref="ComputationsBySecond"/>.</summary>
    public static long StartedAt { get; set; }

    public static IReadOnlyDictionary<string, int> Computations => ComputationsByKey;

    public static IReadOnlyDictionary<long, int> ComputationsPerSecond => ComputationsBySecond;

    /// <summary>
    /// With <c>--sabotage</c>, <see cref="Quote"/> computes id 1's quote for id 0: a wrong value that
    /// the cache stores and shares like any other, so that a test sees the run report it and fail.
    /// </summary>
    public static bool Sabotage { get; set; }

    [Memoize(MaxAgeSeconds = 45)]
    public static Quote Quote(int id)
    {
        Count("Quote", id.ToString(CultureInfo.InvariantCulture));
        Thread.Sleep(20);
        return Expected.Quote(Sabotage && id == 0 ? 1 : id);
    }

    [Memoize(MaxAgeSeconds = 30, LocalCache = false)]
    public static async Task<double[]> Series(int id, int length)
    {
        Count("Series", string.Create(CultureInfo.InvariantCulture, $"{id}/{length}"));
        await Task.Delay(15).ConfigureAwait(false);
        return Expected.Series(id, length);
    }

    [Memoize(MaxAgeSeconds = 15, LocalCache = false)]
    public static Dictionary<string, int> Sectors(string region)
    {
        Count("Sectors", region);
        Thread.Sleep(10);
        return Expected.Sectors(region);
    }

    [Memoize(MaxAgeSeconds = 60)]
    public static string? Note(int id)
    {
        Count("Note", id.ToString(CultureInfo.InvariantCulture));
        Thread.Sleep(5);
        return Expected.Note(id);
    }

    private static void Count(string method, string argument)
    {
        ComputationsByKey.AddOrUpdate(method + "(" + argument + ")", 1, (_, n) => n + 1);
        var second = (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - StartedAt) / 1000;
        ComputationsBySecond.AddOrUpdate(second, 1, (_, n) => n + 1);
    }
}

/// <summary>A result with a list and a nested object, compared field by field.</summary>
public sealed class Quote
{
    public int Id { get; set; }

    public string Symbol { get; set; } = string.Empty;

    public decimal Price { get; set; }

    public DateTime At { get; set; }

    public List<string> Tags { get; set; } = new();

    public Venue? Venue { get; set; }
}

public sealed class Venue
{
    public string Name { get; set; } = string.Empty;

    public int Lot { get; set; }
}

/// <summary>The right answer of each helper, computed without the cache.</summary>
public static class Expected
{
    public static Quote Quote(int id) => new()
    {
        Id = id,
        Symbol = "SYM" + id.ToString("D4", CultureInfo.InvariantCulture),
        Price = 100m + (id * 37 % 1000) / 100m,
        At = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddMinutes(id),
        Tags = Enumerable.Range(0, id % 5).Select(i => "t" + (id + i).ToString(CultureInfo.InvariantCulture)).ToList(),
        Venue = id % 4 == 0 ? null : new Venue { Name = "V" + (id % 7).ToString(CultureInfo.InvariantCulture), Lot = id % 100 },
    };

    public static bool IsQuote(Quote? quote, int id)
    {
        var expected = Quote(id);
        return quote is not null
            && quote.Id == expected.Id
            && quote.Symbol == expected.Symbol
            && quote.Price == expected.Price
            && quote.At == expected.At
            && quote.At.Kind == expected.At.Kind
            && quote.Tags.SequenceEqual(expected.Tags)
            && (quote.Venue is null
                ? expected.Venue is null
                : expected.Venue is not null && quote.Venue.Name == expected.Venue.Name && quote.Venue.Lot == expected.Venue.Lot);
    }

    /// <summary>
    /// The length a worker asks for: mostly small, one key in twenty about 320 KB (compressed), and
    /// id 0 and id 97 (when the run has that many keys) about 2.4 MB (the connection of large values).
    /// </summary>
    public static int SeriesLength(int id) => id % 97 == 0 ? 300_000 : id % 20 == 0 ? 40_000 : 50 + id % 200;

    public static double[] Series(int id, int length)
    {
        var values = new double[length];
        for (var i = 0; i < length; i++)
        {
            values[i] = Math.Round(id + i * 0.01, 2);
        }

        return values;
    }

    public static bool IsSeries(double[]? series, int id, int length) => series is not null && series.AsSpan().SequenceEqual(Series(id, length));

    public static Dictionary<string, int> Sectors(string region)
    {
        var seed = region.Aggregate(17, (h, c) => unchecked(h * 31 + c));
        return Enumerable.Range(0, 3 + Math.Abs(seed % 6))
            .ToDictionary(i => region + "-s" + i.ToString(CultureInfo.InvariantCulture), i => Math.Abs(unchecked(seed * (i + 1))) % 1000, StringComparer.Ordinal);
    }

    public static bool IsSectors(Dictionary<string, int>? sectors, string region)
    {
        var expected = Sectors(region);
        return sectors is not null && sectors.Count == expected.Count && expected.All(e => sectors.TryGetValue(e.Key, out var v) && v == e.Value);
    }

    /// <summary>Null for a third of the ids: a null result is cached like any other.</summary>
    public static string? Note(int id) => id % 3 == 0 ? null : "note " + id.ToString(CultureInfo.InvariantCulture);
}
