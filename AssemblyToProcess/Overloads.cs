using AkCache;

namespace AssemblyToProcess;

public static class Overloads
{
    [Memoize]
    public static string Describe(int value)
    {
        Calls.Record("Describe(int)");
        return "int " + value;
    }

    [Memoize]
    public static string Describe(long value)
    {
        Calls.Record("Describe(long)");
        return "long " + value;
    }

    [Memoize]
    public static string Describe(int first, int second)
    {
        Calls.Record("Describe(int,int)");
        return $"pair {first},{second}";
    }

    [Memoize]
    public static int Subtract(int a, int b)
    {
        Calls.Record(nameof(Subtract));
        return a - b;
    }

    [Memoize]
    public static string Concat(string? a, string? b)
    {
        Calls.Record(nameof(Concat));
        return (a ?? "<null>") + "+" + (b ?? "<null>");
    }
}
