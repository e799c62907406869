using AkCache;

namespace AssemblyToProcess;

public static class NullAndDefaultResults
{
    [Memoize]
    public static string? FindName(int id)
    {
        Calls.Record(nameof(FindName));
        return null;
    }

    [Memoize]
    public static int? FindNumber(int id)
    {
        Calls.Record(nameof(FindNumber));
        return null;
    }

    [Memoize]
    public static int Zero(int id)
    {
        Calls.Record(nameof(Zero));
        return 0;
    }
}
