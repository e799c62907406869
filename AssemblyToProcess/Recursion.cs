using AkCache;

namespace AssemblyToProcess;

public static class Recursion
{
    [Memoize]
    public static long Fibonacci(int n)
    {
        Calls.Record(nameof(Fibonacci));
        return n < 2 ? n : Fibonacci(n - 1) + Fibonacci(n - 2);
    }

    /// <summary>Calls itself with the same key (depth is not part of it) before it has a result.</summary>
    [Memoize]
    public static int SameKey(int n, [NotKey] int depth)
    {
        Calls.Record(nameof(SameKey));
        return depth == 0 ? SameKey(n, 1) + 1 : n;
    }
}
