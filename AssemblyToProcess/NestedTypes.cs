using AkCache;

namespace AssemblyToProcess;

public static class Outer
{
    public static class Inner
    {
        [Memoize]
        public static string Deep(int id)
        {
            Calls.Record("Inner.Deep");
            return "deep " + id;
        }
    }
}

public class Service
{
    public int InstanceValue { get; set; }

    internal class Helpers
    {
        [Memoize]
        internal static string Private(int id) => Tracked(id);

        private static string Tracked(int id)
        {
            Calls.Record("Helpers.Private");
            return "private " + id;
        }
    }

    public static string CallPrivate(int id) => Helpers.Private(id);
}
