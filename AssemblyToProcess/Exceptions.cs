using System;
using AkCache;

namespace AssemblyToProcess;

public static class Exceptions
{
    [Memoize]
    public static int FailUntil(int id, int failures)
    {
        Calls.Record(nameof(FailUntil));
        if (Calls.Count(nameof(FailUntil)) <= failures)
        {
            throw new InvalidOperationException($"failure {Calls.Count(nameof(FailUntil))} for {id}");
        }

        return id * 10;
    }
}
