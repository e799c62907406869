using System.Threading;
using AkCache;

namespace AssemblyToProcess;

public static class Concurrency
{
    [Memoize]
    public static long SlowSquare(int value)
    {
        Calls.Record(nameof(SlowSquare));
        Thread.Sleep(20);
        return (long)value * value;
    }
}
