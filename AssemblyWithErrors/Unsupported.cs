using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using System.Threading.Tasks;
using AkCache;
using MessagePack;

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
    public static System.Linq.IQueryable<int> Queryable(List<int> a)
    { // error: Queryable
        return System.Linq.Queryable.AsQueryable(a);
    }

    [Memoize]
    public static System.Linq.IOrderedEnumerable<int> Ordered(List<int> a)
    { // error: Ordered
        return System.Linq.Enumerable.OrderBy(a, x => x);
    }

    [Memoize]
    public static Task<IEnumerable<int>> SequenceLater(int a)
    { // error: SequenceLater
        return Task.FromResult<IEnumerable<int>>(new[] { a });
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
    public static Func<int> ReturnsCounter(int start)
    { // error: ReturnsCounter
        return () => start;
    }

    [Memoize]
    public static Holder ReturnsHolderOfDelegate(int a)
    { // error: ReturnsHolderOfDelegate
        return new Holder { Callback = () => a };
    }

    [Memoize]
    public static Work ReturnsPendingWork(int a)
    { // error: ReturnsPendingWork
        return new Work { Pending = { Task.FromResult(a) } };
    }

    [Memoize]
    public static List<Stream> ReturnsStreams(int a)
    { // error: ReturnsStreams
        return new List<Stream> { new MemoryStream(new byte[a]) };
    }

    [Memoize]
    public static Prices ReturnsPrices(int a)
    { // error: ReturnsPrices
        return new Prices { a };
    }

    [Memoize]
    public static Failure ReturnsFailure(int a)
    { // error: ReturnsFailure
        return new Failure(a.ToString());
    }

    [Memoize]
    public static IShape ReturnsShape(int a)
    { // error: ReturnsShape
        return new Circle { Radius = a };
    }

    [Memoize]
    public static Figure ReturnsFigure(int a)
    { // error: ReturnsFigure
        return new Dot { X = a };
    }

    [Memoize]
    public static async Task<NativeHolder> ReturnsHandleAsync(int a)
    { // error: ReturnsHandleAsync
        return new NativeHolder { Handle = new IntPtr(a) };
    }

    [Memoize]
    public static Lazy<int> ReturnsLazy(int a)
    { // error: ReturnsLazy
        return new Lazy<int>(() => a);
    }

    [Memoize]
    public static Box<MemoryStream> ReturnsBoxedStream(int a)
    { // error: ReturnsBoxedStream
        return new Box<MemoryStream> { Value = new MemoryStream(new byte[a]) };
    }

    [Memoize]
    public static int FilterParameter(Filter filter)
    { // error: FilterParameter
        return filter.Predicate(1) ? 1 : 0;
    }

    [Memoize]
    public static int QueryParameter(Query query)
    { // error: QueryParameter
        return query.Weights.Count;
    }

    [Memoize]
    public static string TypeParameter(Type type)
    { // error: TypeParameter
        return type.Name;
    }

    [Memoize]
    [DllImport("libc", EntryPoint = "abs")]
    public static extern int Extern(int a);
}

/// <summary>Shapes the runtime can store or key: none of them is a build error, and each is woven.</summary>
public static class Storable
{
    [Memoize]
    public static IUnionShape ReturnsUnionShape(int a)
    {
        return new Square { Side = a };
    }

    [Memoize]
    public static Node ReturnsNode(int a)
    {
        return new Node { Value = a, Next = new Node { Value = a + 1 } };
    }

    [Memoize]
    public static Tag<Func<int>> ReturnsTag(int a)
    {
        return new Tag<Func<int>> { Value = a };
    }

    /// <summary>Another serializer than AkCache's own has rules the build does not know.</summary>
    [Memoize(Serializer = "json")]
    public static Prices ReturnsPricesAsJson(int a)
    {
        return new Prices { a };
    }

    /// <summary>Keyed by its entries, as any dictionary argument: deriving from Dictionary is a problem only inside a member.</summary>
    [Memoize]
    public static int WeightsParameter(Weights weights)
    {
        return weights.Count;
    }
}

public interface IWithStatic
{
    [Memoize]
    static abstract int FromInterface(int a);
}

public sealed class Holder
{
    public Func<int>? Callback { get; set; }
}

public sealed class Work
{
    public List<Task<int>> Pending { get; } = new();
}

public sealed class Prices : List<decimal>
{
}

public sealed class Failure : Exception
{
    public Failure(string message)
        : base(message)
    {
    }
}

public interface IShape
{
}

public sealed class Circle : IShape
{
    public int Radius { get; set; }
}

public abstract class Figure
{
}

public sealed class Dot : Figure
{
    public int X { get; set; }
}

[Union(0, typeof(Square))]
public interface IUnionShape
{
}

public sealed class Square : IUnionShape
{
    public int Side { get; set; }
}

public sealed class NativeHolder
{
    public IntPtr Handle { get; set; }
}

public sealed class Box<T>
{
    public T? Value { get; set; }
}

/// <summary>Its type argument is never stored: only the fields are.</summary>
public sealed class Tag<T>
{
    public int Value { get; set; }
}

public sealed class Node
{
    public Node? Next { get; set; }

    public int Value { get; set; }
}

public sealed class Filter
{
    public Func<int, bool> Predicate { get; set; } = _ => true;
}

public sealed class Weights : Dictionary<string, int>
{
}

public sealed class Query
{
    public Weights Weights { get; set; } = new();
}

public static class UsesAttributesAtRunTime
{
    private static MemoizeAttribute? s_lastSeen; // error: field s_lastSeen

    public static string AttributeName()
    { // error: AttributeName
        return typeof(MemoizeAttribute).Name;
    }

    public static bool Remembered() => s_lastSeen is not null;

    public static void Forget() => s_lastSeen = null;

    public static bool Reflected(System.Reflection.MethodInfo method)
    { // error: Reflected
        return System.Reflection.CustomAttributeExtensions.GetCustomAttribute<MemoizeAttribute>(method) is not null;
    }

    public static Func<string> Later() => () => typeof(NotKeyAttribute).Name;
}
