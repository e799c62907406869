using AkCache;

namespace AssemblyToProcess;

/// <summary>
/// Valid targets of AkCacheRuntime's management calls, which the weaver must accept: a memoized
/// method called directly, as a method group, with an argument computed by a helper that is not
/// memoized, and through a helper that calls it.
/// </summary>
public static class CacheManagement
{
    public static bool InvalidateAdd(int a, int b) => AkCacheRuntime.Invalidate(() => Basic.Add(a, b));

    public static long ClearGreet() => AkCacheRuntime.ClearMethod(() => Basic.Greet(""));

    public static CacheInfo InfoOfNoArguments() => AkCacheRuntime.GetCacheInfo(Basic.NoArguments);

    public static bool InvalidateGreetOfUser(int id) => AkCacheRuntime.Invalidate(() => Basic.Greet(UserName(id)));

    public static CacheInfo InfoOfAddThroughHelper() => AkCacheRuntime.GetCacheInfo(() => AddTen(0));

    private static string UserName(int id) => "user" + id;

    private static int AddTen(int a) => Basic.Add(a, 10);
}
