using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Tasks;
using AkCache.CompilerServices;

namespace AssemblyToProcess;

public static class LargeValues
{
    [CompilerGenerated]
    private static MemoizedMethod <AkCache>Noise$Method0;

    [CompilerGenerated]
    private static Func<(int, int), byte[]> <AkCache>Noise$Body1;

    [CompilerGenerated]
    private static MemoizedMethod <AkCache>NoiseAsync$Method2;

    [CompilerGenerated]
    private static Func<(int, int), Task<byte[]>> <AkCache>NoiseAsync$Body3;

    [CompilerGenerated]
    private static MemoizedMethod <AkCache>PriceTable$Method4;

    [CompilerGenerated]
    private static Func<(int, int), string> <AkCache>PriceTable$Body5;

    private static byte[] Noise$Original(int seed, int megabytes)
    {
        Calls.Record("Noise");
        byte[] array = new byte[megabytes * 1024 * 1024];
        new Random(seed).NextBytes(array);
        return array;
    }

    private static async Task<byte[]> NoiseAsync$Original(int seed, int megabytes)
    {
        await Task.Yield();
        Calls.Record("NoiseAsync");
        byte[] array = new byte[megabytes * 1024 * 1024];
        new Random(seed).NextBytes(array);
        return array;
    }

    private static string PriceTable$Original(int seed, int rows)
    {
        Calls.Record("PriceTable");
        Random random = new Random(seed);
        StringBuilder stringBuilder = new StringBuilder(rows * 40);
        for (int i = 0; i < rows; i++)
        {
            stringBuilder.Append("AAPL,2026-12-").Append(1 + i % 28).Append(",close=")
                .Append(random.Next(100, 300))
                .Append('.')
                .Append(random.Next(100))
                .Append('\n');
        }
        return stringBuilder.ToString();
    }

    [DebuggerStepThrough]
    public static byte[] Noise(int seed, int megabytes)
    {
        MemoizedMethod memoizedMethod = <AkCache>Noise$Method0 ?? (<AkCache>Noise$Method0 = MemoizedMethod.Create("AssemblyToProcess.LargeValues.Noise(System.Int32,System.Int32)", "<il-hash>", 0));
        KeyBuilder keyBuilder = memoizedMethod.BeginKey();
        keyBuilder.Add(seed);
        keyBuilder.Add(megabytes);
        return memoizedMethod.Invoke(keyBuilder.Complete(), (seed, megabytes), <AkCache>Noise$Body1 ?? (<AkCache>Noise$Body1 = Noise$Invoke), default);
    }

    [CompilerGenerated]
    private static byte[] Noise$Invoke((int, int) arguments)
    {
        return Noise$Original(arguments.Item1, arguments.Item2);
    }

    [DebuggerStepThrough]
    public static Task<byte[]> NoiseAsync(int seed, int megabytes)
    {
        MemoizedMethod memoizedMethod = <AkCache>NoiseAsync$Method2 ?? (<AkCache>NoiseAsync$Method2 = MemoizedMethod.Create("AssemblyToProcess.LargeValues.NoiseAsync(System.Int32,System.Int32)", "<il-hash>", 0));
        KeyBuilder keyBuilder = memoizedMethod.BeginKey();
        keyBuilder.Add(seed);
        keyBuilder.Add(megabytes);
        return memoizedMethod.InvokeAsync(keyBuilder.Complete(), (seed, megabytes), <AkCache>NoiseAsync$Body3 ?? (<AkCache>NoiseAsync$Body3 = NoiseAsync$Invoke), default);
    }

    [CompilerGenerated]
    private static Task<byte[]> NoiseAsync$Invoke((int, int) arguments)
    {
        return NoiseAsync$Original(arguments.Item1, arguments.Item2);
    }

    [DebuggerStepThrough]
    public static string PriceTable(int seed, int rows)
    {
        MemoizedMethod memoizedMethod = <AkCache>PriceTable$Method4 ?? (<AkCache>PriceTable$Method4 = MemoizedMethod.Create("AssemblyToProcess.LargeValues.PriceTable(System.Int32,System.Int32)", "<il-hash>", 0));
        KeyBuilder keyBuilder = memoizedMethod.BeginKey();
        keyBuilder.Add(seed);
        keyBuilder.Add(rows);
        return memoizedMethod.Invoke(keyBuilder.Complete(), (seed, rows), <AkCache>PriceTable$Body5 ?? (<AkCache>PriceTable$Body5 = PriceTable$Invoke), default);
    }

    [CompilerGenerated]
    private static string PriceTable$Invoke((int, int) arguments)
    {
        return PriceTable$Original(arguments.Item1, arguments.Item2);
    }
}
