rpm -qp --requires $TESTDATA/repos/rpms-only/hello-2.12.1-2.src.rpm
