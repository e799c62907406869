using AkCache;

namespace AssemblyToProcess;

public static class TimeToLive
{
    [Memoize(MaxAgeSeconds = 1)]
    public static int OneSecond(int id)
    {
        Calls.Record(nameof(OneSecond));
        return id + Calls.Count(nameof(OneSecond)) * 1000;
    }

    [Memoize]
    public static int ConfiguredDefault(int id)
    {
        Calls.Record(nameof(ConfiguredDefault));
        return id;
    }
}
