using System;
using System.Buffers;

namespace AkCache.Internals.Hashing;

/// <summary>
/// A byte[] seen as an <see cref="IBufferWriter{T}"/>, so that MessagePack serializes straight into
/// a buffer that is already there: an argument into its key's buffer, a result after the room left
/// for its envelope's header.
/// </summary>
/// <remarks>
/// One idle instance is kept per thread. While it is lent, a nested key on the same thread (an
/// argument whose serialization calls a memoized method) finds the slot empty and gets its own.
/// </remarks>
internal sealed class KeyBufferWriter : IBufferWriter<byte>
{
    [ThreadStatic]
    private static KeyBufferWriter? t_idle;

    private byte[] _buffer = Array.Empty<byte>();
    private int _length;
    private int _trailer;

    private KeyBufferWriter()
    {
    }

    /// <summary>
    /// A writer that appends to <paramref name="buffer"/> after its first <paramref name="length"/>
    /// bytes. <paramref name="trailer"/>: when it grows a buffer to a large size asked for at once (a
    /// large result's payload), it leaves that many bytes of room after what was asked for, so that
    /// the buffer can be the envelope itself, its checksum and signature written there.
    /// </summary>
    public static KeyBufferWriter Rent(byte[] buffer, int length, int trailer = 0)
    {
        var writer = t_idle ?? new KeyBufferWriter();
        t_idle = null;
        writer._buffer = buffer;
        writer._length = length;
        writer._trailer = trailer;
        return writer;
    }

    /// <summary>The buffer (perhaps grown, so perhaps another array) and its length; the writer is idle afterwards.</summary>
    public byte[] Return(out int length)
    {
        var buffer = _buffer;
        length = _length;
        _buffer = Array.Empty<byte>();
        _length = 0;
        _trailer = 0;
        t_idle = this;
        return buffer;
    }

    public void Advance(int count)
    {
        if (count < 0 || count > _buffer.Length - _length)
        {
            throw new ArgumentOutOfRangeException(nameof(count));
        }

        _length += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_length);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_length);
    }

    private void Ensure(int sizeHint)
    {
        var needed = Math.Max(sizeHint, 1);
        if (_buffer.Length - _length >= needed)
        {
            return;
        }

        // Only the bytes written are ever read: a large buffer is not zeroed first (a 60 MiB value's
        // serialization would write 60 MiB of zeros for nothing, on the large object heap).
        var size = Math.Max(_buffer.Length * 2, _length + needed);
        if (size == _length + needed && size >= ByteArrays.UninitializedFrom)
        {
            size += _trailer;
        }

        var grown = ByteArrays.Uninitialized(size);
        _buffer.AsSpan(0, _length).CopyTo(grown);
        _buffer = grown;
    }
}
