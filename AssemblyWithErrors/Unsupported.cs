using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using AkCache;

namespace AssemblyWithErrors;

public class Unsupported
{
    [Memoize]
    public int Instance(int a)
    { // error: Instance
        return a;
    }

    [Memoize]
    public static void ReturnsVoid(int a)
    { // error: ReturnsVoid
        Console.WriteLine(a);
    }

    [Memoize]
    public static async Task<int> Async(int a)
    { // error: Async
        return a;
    }

    [Memoize]
    public static Task<int> ReturnsTask(int a)
    { // error: ReturnsTask
        return Task.FromResult(a);
    }

    [Memoize]
    public static T Generic<T>(T a)
    { // error: Generic
        return a;
    }

    [Memoize]
    public static int RefParameter(ref int a)
    { // error: RefParameter
        return a;
    }

    [Memoize]
    public static int OutParameter(out int a)
    { // error: OutParameter
        a = 1;
        return a;
    }

    [Memoize]
    public static IEnumerable<int> Iterator(int a)
    { // error: Iterator
        yield return a;
    }

    [Memoize(MaxAgeSeconds = -5)]
    public static int NegativeMaxAge(int a)
    { // error: NegativeMaxAge
        return a;
    }

    [Memoize]
    public static int SpanParameter(ReadOnlySpan<int> a)
    { // error: SpanParameter
        return a.Length;
    }
}

public static class GenericHolder<T>
{
    [Memoize]
    public static int InGenericType(int a)
    { // error: InGenericType
        return a;
    }
}
