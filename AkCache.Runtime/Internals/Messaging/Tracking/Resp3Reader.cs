using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace AkCache.Internals.Messaging.Tracking;

/// <summary>
/// An incremental RESP3 reader: bytes are appended as the socket delivers them, in pieces of any
/// size, and <see cref="TryRead"/> returns each frame once all of its bytes are there. A frame that
/// is not complete yet is parsed again from its start on the next call: frames here are small
/// (pushes of a few keys, replies to PING), so this costs less than keeping a parse stack.
/// Anything that cannot be RESP3 throws <see cref="Resp3ProtocolException"/>; after that the
/// reader is unusable, as is the connection it reads.
/// </summary>
/// <remarks>
/// Attributes (<c>|</c>) are read and dropped wherever they appear. Streamed strings and
/// aggregates (<c>$?</c>, <c>*?</c>) are refused as broken framing: Redis never sends them.
/// </remarks>
internal sealed class Resp3Reader
{
    /// <summary>Longer than any line Redis writes (type, length or simple string): garbage without CRLF is found out quickly.</summary>
    internal const int MaxLineLength = 64 * 1024;

    /// <summary>Redis's own limit on a bulk string (proto-max-bulk-len) is 512 MB; a key is far smaller.</summary>
    internal const int MaxBulkLength = 64 * 1024 * 1024;

    internal const int MaxDepth = 32;

    private const int MaxAggregateCount = 16 * 1024 * 1024;

    private byte[] _buffer = new byte[4096];
    private int _start;
    private int _end;
    private bool _broken;

    /// <summary>Bytes received and not yet returned as a frame.</summary>
    public int Buffered => _end - _start;

    public void Append(ReadOnlySpan<byte> bytes)
    {
        if (_end + bytes.Length > _buffer.Length)
        {
            MakeRoom(bytes.Length);
        }

        bytes.CopyTo(_buffer.AsSpan(_end));
        _end += bytes.Length;
    }

    /// <returns>The next complete frame, or null when more bytes are needed.</returns>
    /// <exception cref="Resp3ProtocolException">The bytes are not RESP3.</exception>
    public Resp3Value? TryRead()
    {
        if (_broken)
        {
            throw new Resp3ProtocolException("The RESP3 stream was already broken.");
        }

        var data = new ReadOnlySpan<byte>(_buffer, _start, _end - _start);
        var position = 0;
        Resp3Value? value;
        try
        {
            value = TryParse(data, ref position, 0);
        }
        catch (Resp3ProtocolException)
        {
            _broken = true;
            throw;
        }

        if (value is not null)
        {
            _start += position;
            if (_start == _end)
            {
                _start = _end = 0;
            }
        }

        return value;
    }

    private void MakeRoom(int needed)
    {
        var kept = _end - _start;
        if (kept + needed > _buffer.Length)
        {
            var larger = new byte[Math.Max(_buffer.Length * 2, kept + needed)];
            Buffer.BlockCopy(_buffer, _start, larger, 0, kept);
            _buffer = larger;
        }
        else
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, kept);
        }

        _start = 0;
        _end = kept;
    }

    /// <summary>One value at <paramref name="position"/>, after any attributes; null (position unchanged) when incomplete.</summary>
    private static Resp3Value? TryParse(ReadOnlySpan<byte> data, ref int position, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new Resp3ProtocolException($"RESP3 nesting deeper than {MaxDepth.ToString(CultureInfo.InvariantCulture)}.");
        }

        var p = position;

        // A loop, not recursion: a run of attributes must not deepen the stack.
        while (p < data.Length && data[p] == (byte)'|')
        {
            if (!TrySkipAttribute(data, ref p, depth))
            {
                return null;
            }
        }

        if (p >= data.Length)
        {
            return null;
        }

        var type = data[p];
        p++;
        if (!TryReadLine(data, ref p, out var line))
        {
            return null;
        }

        var value = type switch
        {
            (byte)'$' or (byte)'!' or (byte)'=' => TryParseBlob(type, line, data, ref p),
            (byte)'*' or (byte)'~' or (byte)'>' or (byte)'%' => TryParseAggregate(type, line, data, ref p, depth),
            _ => ParseSimple(type, line),
        };
        if (value is not null)
        {
            position = p;
        }

        return value;
    }

    private static bool TrySkipAttribute(ReadOnlySpan<byte> data, ref int position, int depth)
    {
        var p = position + 1;
        if (!TryReadLine(data, ref p, out var line))
        {
            return false;
        }

        var count = ParseCount(line, '|') * 2;
        for (var i = 0; i < count; i++)
        {
            if (TryParse(data, ref p, depth + 1) is null)
            {
                return false;
            }
        }

        position = p;
        return true;
    }

    private static Resp3Value ParseSimple(byte type, ReadOnlySpan<byte> line)
    {
        switch (type)
        {
            case (byte)'+':
                return Resp3Value.FromText(Resp3Kind.SimpleString, Utf8(line));
            case (byte)'-':
                return Resp3Value.FromText(Resp3Kind.Error, Utf8(line));
            case (byte)':':
                return Resp3Value.FromInteger(Resp3Kind.Integer, ParseInteger(line, ':'));
            case (byte)'_':
                return line.Length == 0 ? Resp3Value.NullValue : throw Broken("a null (_) with content");
            case (byte)',':
                return Resp3Value.FromText(Resp3Kind.Double, Ascii(line, ','));
            case (byte)'(':
                return Resp3Value.FromText(Resp3Kind.BigNumber, Ascii(line, '('));
            case (byte)'#':
                return line.Length == 1 && line[0] is (byte)'t' or (byte)'f'
                    ? Resp3Value.FromInteger(Resp3Kind.Boolean, line[0] == (byte)'t' ? 1 : 0)
                    : throw Broken("a boolean (#) that is neither t nor f");
            default:
                throw Broken($"an unknown type byte 0x{type.ToString("x2", CultureInfo.InvariantCulture)}");
        }
    }

    private static Resp3Value? TryParseBlob(byte type, ReadOnlySpan<byte> line, ReadOnlySpan<byte> data, ref int position)
    {
        var length = ParseInteger(line, (char)type);
        if (length == -1 && type == (byte)'$')
        {
            return Resp3Value.NullValue; // RESP2's null bulk string, which RESP3 servers may still send
        }

        if (length < 0 || length > MaxBulkLength)
        {
            throw Broken($"a length of {length.ToString(CultureInfo.InvariantCulture)} after '{(char)type}'");
        }

        var size = (int)length;
        if (data.Length - position < size + 2)
        {
            return null;
        }

        if (data[position + size] != (byte)'\r' || data[position + size + 1] != (byte)'\n')
        {
            throw Broken($"a '{(char)type}' payload not followed by CRLF");
        }

        var payload = data.Slice(position, size);
        position += size + 2;
        return type switch
        {
            (byte)'$' => Resp3Value.FromText(Resp3Kind.BulkString, Utf8(payload)),
            (byte)'!' => Resp3Value.FromText(Resp3Kind.BlobError, Utf8(payload)),
            _ => Resp3Value.FromText(Resp3Kind.Verbatim, VerbatimText(payload)),
        };
    }

    /// <summary>A verbatim string starts with a three-letter format and a colon ("txt:"), which is not part of the text.</summary>
    private static string VerbatimText(ReadOnlySpan<byte> payload) =>
        payload.Length >= 4 && payload[3] == (byte)':'
            ? Utf8(payload.Slice(4))
            : throw Broken("a verbatim string (=) without its format prefix");

    private static Resp3Value? TryParseAggregate(byte type, ReadOnlySpan<byte> line, ReadOnlySpan<byte> data, ref int position, int depth)
    {
        var count = ParseCount(line, (char)type);
        if (count < 0)
        {
            return Resp3Value.NullValue; // *-1, RESP2's null array
        }

        if (type == (byte)'%')
        {
            count *= 2;
        }

        // Never trust a count for capacity: a broken stream could claim millions of items.
        var items = new List<Resp3Value>(Math.Min(count, 64));
        var p = position;
        for (var i = 0; i < count; i++)
        {
            var item = TryParse(data, ref p, depth + 1);
            if (item is null)
            {
                return null;
            }

            items.Add(item);
        }

        position = p;
        var kind = type switch
        {
            (byte)'*' => Resp3Kind.Array,
            (byte)'~' => Resp3Kind.Set,
            (byte)'>' => Resp3Kind.Push,
            _ => Resp3Kind.Map,
        };
        return Resp3Value.FromItems(kind, items);
    }

    /// <returns>An aggregate's count, or -1 for the null array (only '*' may be null).</returns>
    private static int ParseCount(ReadOnlySpan<byte> line, char type)
    {
        var count = ParseInteger(line, type);
        if (count == -1 && type == '*')
        {
            return -1;
        }

        return count is >= 0 and <= MaxAggregateCount
            ? (int)count
            : throw Broken($"a count of {count.ToString(CultureInfo.InvariantCulture)} after '{type}'");
    }

    /// <summary>The line from <paramref name="position"/> to the next CRLF, which it moves past; false when no LF has arrived yet.</summary>
    private static bool TryReadLine(ReadOnlySpan<byte> data, ref int position, out ReadOnlySpan<byte> line)
    {
        var rest = data.Slice(position);
        var lf = rest.IndexOf((byte)'\n');
        if (lf < 0)
        {
            line = default;
            if (rest.Length > MaxLineLength)
            {
                throw Broken($"a line longer than {MaxLineLength.ToString(CultureInfo.InvariantCulture)} bytes");
            }

            // A CR that is followed by anything but LF can already be judged.
            var early = rest.IndexOf((byte)'\r');
            return early < 0 || early == rest.Length - 1 ? false : throw Broken("a CR not followed by LF");
        }

        if (lf == 0 || rest[lf - 1] != (byte)'\r' || rest.Slice(0, lf - 1).IndexOf((byte)'\r') >= 0)
        {
            throw Broken("a line not ended by CRLF");
        }

        line = rest.Slice(0, lf - 1);
        position += lf + 1;
        return true;
    }

    /// <summary>Strict: an optional minus and digits only, as Redis writes them.</summary>
    private static long ParseInteger(ReadOnlySpan<byte> line, char type)
    {
        var negative = line.Length > 0 && line[0] == (byte)'-';
        var digits = negative ? line.Slice(1) : line;
        if (digits.Length == 0 || digits.Length > 19)
        {
            throw Broken($"a malformed number after '{type}'");
        }

        long value = 0;
        foreach (var digit in digits)
        {
            if (digit is < (byte)'0' or > (byte)'9')
            {
                throw Broken($"a malformed number after '{type}'");
            }

            if (value > (long.MaxValue - (digit - '0')) / 10)
            {
                throw Broken($"a number too large after '{type}'");
            }

            value = (value * 10) + (digit - '0');
        }

        return negative ? -value : value;
    }

    private static string Ascii(ReadOnlySpan<byte> line, char type)
    {
        foreach (var b in line)
        {
            if (b is < 0x20 or > 0x7e)
            {
                throw Broken($"a non-ASCII byte after '{type}'");
            }
        }

        return Utf8(line);
    }

    private static string Utf8(ReadOnlySpan<byte> bytes) => bytes.Length == 0 ? string.Empty : Encoding.UTF8.GetString(bytes.ToArray());

    private static Resp3ProtocolException Broken(string what) => new($"the server sent {what}: this is not RESP3");
}
