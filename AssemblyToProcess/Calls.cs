using System.Collections.Concurrent;

namespace AssemblyToProcess;

/// <summary>Counts how often each original method body ran, so tests can tell hits from misses.</summary>
public static class Calls
{
    private static readonly ConcurrentDictionary<string, int> Counts = new();

    public static void Record(string name) => Counts.AddOrUpdate(name, 1, (_, n) => n + 1);

    public static int Count(string name) => Counts.TryGetValue(name, out var n) ? n : 0;

    public static void Reset() => Counts.Clear();
}
