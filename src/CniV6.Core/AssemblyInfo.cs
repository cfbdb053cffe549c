namespace CniV6.Core;
