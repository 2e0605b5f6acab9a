rpm -qpl $TESTDATA/repos/rpms-only/greeter-0.3-1.noarch.rpm
