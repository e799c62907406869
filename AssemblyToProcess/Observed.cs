using AkCache;

namespace AssemblyToProcess;

/// <summary>Methods that only the metrics tests call, so that their counters move for those tests alone.</summary>
public static class Observed
{
    [Memoize]
    public static int Square(int value)
    {
        Calls.Record(nameof(Square));
        return value * value;
    }
}
