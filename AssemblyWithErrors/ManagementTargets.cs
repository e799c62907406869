using AkCache;

namespace AssemblyWithErrors;

/// <summary>
/// AkCacheRuntime calls whose lambda or method group can reach no memoized method: each would
/// throw ArgumentException when it runs, so each is a build error at its call.
/// </summary>
public static class ManagementTargets
{
    public static int Price(int id) => id * 3;

    public static string Label(string symbol, int days) => symbol.ToUpperInvariant() + days;

    public static int Constant() => 7;

    [Memoize]
    public static int Quote(int id) => id + 1;

    public static bool InvalidatesPrice()
    {
        return AkCacheRuntime.Invalidate(() => Price(1)); // error: InvalidatesPrice
    }

    public static long ClearsLabel()
    {
        return AkCacheRuntime.ClearMethod(() => Label("600519", 30)); // error: ClearsLabel
    }

    public static CacheInfo InfoOfDoubled()
    {
        return AkCacheRuntime.GetCacheInfo(() => Doubled(2)); // error: InfoOfDoubled
    }

    public static bool InvalidatesMethodGroup()
    {
        return AkCacheRuntime.Invalidate(Constant); // error: InvalidatesMethodGroup
    }

    public static bool InvalidatesCapturedArgument(int id)
    {
        return AkCacheRuntime.Invalidate(() => Price(id)); // error: InvalidatesCapturedArgument
    }

    public static long ClearsConstant()
    {
        return AkCacheRuntime.ClearMethod(() => 42); // error: ClearsConstant
    }

    /// <summary>Every bad call is reported, not only a method's first.</summary>
    public static long InvalidatesThenClears()
    {
        AkCacheRuntime.Invalidate(() => Price(1)); // error: InvalidatesThenClears first
        return AkCacheRuntime.ClearMethod(() => Price(2)); // error: InvalidatesThenClears second
    }

    /// <summary>No error: the lambda calls a memoized method, with an argument computed by a helper.</summary>
    public static bool InvalidatesQuote() => AkCacheRuntime.Invalidate(() => Quote(Price(1)));

    /// <summary>No error: the lambda calls library code the weaver does not read, so only the run time can tell.</summary>
    public static long ClearsThroughLibraryCode() => AkCacheRuntime.ClearMethod(() => System.Environment.ProcessorCount);

    private static int Doubled(int a) => Price(a) * 2;
}
