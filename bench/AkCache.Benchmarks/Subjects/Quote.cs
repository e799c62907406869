using System;

namespace AkCache.Benchmarks.Subjects;

/// <summary>
/// The value of the Redis benchmarks: 1,024 bytes in plain MessagePack (contractless, a map keyed by
/// the property names), which the raw baselines and the peers store. AkCache stores every field as an
/// array instead (its faithful serializer): a payload of 1,007 bytes after its envelope header (35 bytes since ed69a0a).
/// </summary>
public sealed class Quote
{
    /// <summary>110 closes: with the id and the symbol, the MessagePack form is 1,024 bytes.</summary>
    public const int CloseCount = 110;

    public int Id { get; set; }

    public string Symbol { get; set; } = string.Empty;

    public double[] Closes { get; set; } = Array.Empty<double>();

    public static Quote Create(long id)
    {
        var closes = new double[CloseCount];
        for (var i = 0; i < closes.Length; i++)
        {
            closes[i] = 10.0 + ((id + i) % 97) / 7.0;
        }

        return new Quote { Id = unchecked((int)id), Symbol = "600000.XSHG", Closes = closes };
    }
}

/// <summary>A small argument object for the key benchmarks.</summary>
public sealed class Order
{
    public int Id { get; set; }

    public string Symbol { get; set; } = string.Empty;

    public int Quantity { get; set; }

    public decimal Price { get; set; }

    public DateTime Day { get; set; }
}
