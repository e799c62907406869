using AkCache;

namespace AssemblyToProcess;

public static class Basic
{
    [Memoize]
    public static int Add(int a, int b)
    {
        Calls.Record(nameof(Add));
        return a + b;
    }

    [Memoize]
    public static string Greet(string name)
    {
        Calls.Record(nameof(Greet));
        return "Hello, " + name;
    }

    [Memoize]
    public static long NoArguments()
    {
        Calls.Record(nameof(NoArguments));
        return 42L;
    }

    [Memoize]
    public static string Join(string? a, int b, double c, bool d, char e, decimal f, System.Guid g, System.DateTime h, byte[]? i, int[]? j, long k, string l)
    {
        Calls.Record(nameof(Join));
        return string.Join("|", a ?? "null", b, c, d, e, f, g, h.Ticks, i is null ? "null" : i.Length.ToString(), j is null ? "null" : string.Join(",", j), k, l);
    }

    [Memoize(Version = "pinned-1")]
    public static int Pinned(int value)
    {
        Calls.Record(nameof(Pinned));
        return value;
    }
}
