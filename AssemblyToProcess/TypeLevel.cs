using AkCache;

namespace AssemblyToProcess;

/// <summary>[Memoize] on a type: every non-private static method that returns a value is memoized.</summary>
[Memoize(MaxAgeSeconds = 60)]
public static class Catalog
{
    public static string Name(int id)
    {
        Calls.Record("Catalog.Name");
        return "item " + Helper(id);
    }

    [Memoize(MaxAgeSeconds = 5)]
    public static string ShortLived(int id)
    {
        Calls.Record("Catalog.ShortLived");
        return "short " + id;
    }

    public static void Log(string message)
    {
        Calls.Record("Catalog.Log " + message);
    }

    public static int Swap(ref int value)
    {
        value = -value;
        return value;
    }

    private static int Helper(int id)
    {
        Calls.Record("Catalog.Helper");
        return id * 10;
    }
}
