using System;
using System.Text;
using System.Threading.Tasks;
using AkCache;

namespace AssemblyToProcess;

/// <summary>Large results: incompressible bytes, and text that compresses.</summary>
public static class LargeValues
{
    /// <summary><paramref name="megabytes"/> MiB of pseudo-random bytes from <paramref name="seed"/>: LZ4 cannot shrink them.</summary>
    [Memoize]
    public static byte[] Noise(int seed, int megabytes)
    {
        Calls.Record(nameof(Noise));
        var noise = new byte[megabytes * 1024 * 1024];
        new Random(seed).NextBytes(noise);
        return noise;
    }

    /// <summary><see cref="Noise"/>, asynchronous.</summary>
    [Memoize]
    public static async Task<byte[]> NoiseAsync(int seed, int megabytes)
    {
        await Task.Yield();
        Calls.Record(nameof(NoiseAsync));
        var noise = new byte[megabytes * 1024 * 1024];
        new Random(seed).NextBytes(noise);
        return noise;
    }

    /// <summary>A price table as CSV text, <paramref name="rows"/> rows: it compresses about threefold.</summary>
    [Memoize]
    public static string PriceTable(int seed, int rows)
    {
        Calls.Record(nameof(PriceTable));
        var random = new Random(seed);
        var text = new StringBuilder(rows * 40);
        for (var row = 0; row < rows; row++)
        {
            text.Append("AAPL,2026-12-").Append(1 + (row % 28)).Append(",close=").Append(random.Next(100, 300)).Append('.').Append(random.Next(100)).Append('\n');
        }

        return text.ToString();
    }
}
