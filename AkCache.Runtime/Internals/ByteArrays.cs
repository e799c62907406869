using System;

namespace AkCache.Internals;

/// <summary>Arrays of bytes that are written whole before they are read.</summary>
internal static class ByteArrays
{
    /// <summary>From this size on, an array is not zeroed first (the large object heap's threshold).</summary>
    public const int UninitializedFrom = 85_000;

    /// <summary>
    /// An array of <paramref name="length"/> bytes whose caller writes every byte it reads: from
    /// <see cref="UninitializedFrom"/> on, not zeroed first (a 60 MiB envelope would otherwise be
    /// written twice, zeros then bytes), where the platform allows it (.NET 5 on; zeroed on .NET
    /// Framework and other .NET Standard 2.0 hosts).
    /// </summary>
    public static byte[] Uninitialized(int length) =>
#if NET5_0_OR_GREATER
        length >= UninitializedFrom ? GC.AllocateUninitializedArray<byte>(length) : new byte[length];
#else
        new byte[length];
#endif
}
