using System.Collections.Generic;
using AkCache;

namespace AssemblyToProcess;

/// <summary>Methods that set the local layer's options, and results that show what it shares or copies.</summary>
public static class LocalShapes
{
    [Memoize(LocalCache = false)]
    public static string AlwaysFromRedis(string name)
    {
        Calls.Record(nameof(AlwaysFromRedis));
        return "fresh " + name;
    }

    [Memoize(LocalMaxEntries = 2)]
    public static int Bounded(int value)
    {
        Calls.Record(nameof(Bounded));
        return value * 10;
    }

    /// <summary>A mutable result: every caller must get a copy of its own.</summary>
    [Memoize]
    public static List<int> Numbers(int count)
    {
        Calls.Record(nameof(Numbers));
        var numbers = new List<int>(count);
        for (var i = 0; i < count; i++)
        {
            numbers.Add(i);
        }

        return numbers;
    }

    /// <summary>A large result: <paramref name="megabytes"/> MB of bytes that depend on <paramref name="seed"/>.</summary>
    [Memoize]
    public static byte[] Block(int seed, int megabytes)
    {
        Calls.Record(nameof(Block));
        var block = new byte[megabytes * 1024 * 1024];
        for (var i = 0; i < block.Length; i += 4096)
        {
            block[i] = (byte)(seed + i);
        }

        return block;
    }
}
