using System.Net;
using System.Net.Sockets;

namespace CniV6.Core.Nat;

/// <summary>
/// One address family's part of a <see cref="MasqueradePlan"/>: traffic from <paramref name="Sources"/> leaves
/// with the node's address unless its destination is in <paramref name="ExemptDestinations"/> (checked first,
/// in this order, without duplicates).
/// </summary>
public sealed record FamilyMasquerade(AddressFamily Family, IReadOnlyList<IPNetwork> Sources, IReadOnlyList<IPNetwork> ExemptDestinations);
