namespace CniV6.Netlink;
