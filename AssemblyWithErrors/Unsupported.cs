using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
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
    public static async Task ReturnsTask(int a)
    { // error: ReturnsTask
        await Task.Delay(a);
    }

    [Memoize]
    public static ValueTask ReturnsValueTask(int a)
    { // error: ReturnsValueTask
        return default;
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

    [Memoize]
    public static IEnumerable<int> LazySequence(List<int> a)
    { // error: LazySequence
        return a.FindAll(x => x > 0);
    }

    [Memoize]
    public static async IAsyncEnumerable<int> AsyncIterator(int a)
    { // error: AsyncIterator
        await Task.Yield();
        yield return a;
    }

    [Memoize(MaxAgeSeconds = -5)]
    public static int NegativeMaxAge(int a)
    { // error: NegativeMaxAge
        return a;
    }

    [Memoize(Version = "release 2")]
    public static int BadVersion(int a)
    { // error: BadVersion
        return a;
    }

    [Memoize]
    public static int SpanParameter(ReadOnlySpan<int> a)
    { // error: SpanParameter
        return a.Length;
    }

    [Memoize]
    public static string ObjectParameter(object a)
    { // error: ObjectParameter
        return a.ToString() ?? "";
    }

    [Memoize]
    public static int InterfaceParameter(IComparable a)
    { // error: InterfaceParameter
        return a.CompareTo(null);
    }

    [Memoize]
    public static int DelegateParameter(Func<int> a)
    { // error: DelegateParameter
        return a();
    }

    [Memoize]
    public static long StreamParameter(MemoryStream a)
    { // error: StreamParameter
        return a.Length;
    }

    [Memoize]
    public static int TaskParameter(Task<int> a)
    { // error: TaskParameter
        return a.Id;
    }

    [Memoize]
    [DllImport("libc", EntryPoint = "abs")]
    public static extern int Extern(int a);
}

public interface IWithStatic
{
    [Memoize]
    static abstract int FromInterface(int a);
}
